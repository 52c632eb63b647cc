#pragma once
// The safetensors format (huggingface/safetensors), so weights move between gencli and Python:
// an 8-byte little-endian header length N, N bytes of JSON ({"name": {"dtype", "shape",
// "data_offsets": [begin, end]}, "__metadata__": {string: string}}), then the raw tensor
// bytes, little-endian and C order, offsets relative to the end of the header.
//
// The reader is strict: everything in a file it accepts is where the header says, the header is
// at most 100 MB, offsets stay inside the file, tensors neither overlap nor leave holes, and each
// tensor's bytes are exactly its dtype's size times its shape. Anything else is a DataError
// naming the file and the tensor.
#include "core/torch_api.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gencli {

struct SafetensorsFile {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;  // in file order (by data offset)
  std::map<std::string, std::string> metadata;                 // "__metadata__"; empty when absent

  // The tensor called `name`, or an undefined tensor.
  torch::Tensor find(const std::string& name) const;
};

// Writes `tensors` (CPU or not; copied to contiguous CPU memory) and `metadata` to `path`
// atomically. Tensors are laid out largest element size first, then by name, so each one starts
// aligned to its element size, as the reference writer does. UserError for a duplicate or empty
// name, or a dtype the format has no name for.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata);

// Reads a whole file, CPU tensors. DataError naming the file (and the tensor) when it breaks
// any rule above.
SafetensorsFile read_safetensors(const std::string& path);

// Reads only the metadata (cheap: the header alone), with the same checks of the header.
std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);

// Whether `path` names a safetensors file: by its extension, ".safetensors".
bool is_safetensors_path(const std::string& path);

// The format's name for a dtype ("F32", "BF16", ...), or empty when it has none.
std::string safetensors_dtype_name(torch::ScalarType dtype);

}  // namespace gencli

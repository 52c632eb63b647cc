#include "data/captioned_folder.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "data/image_folder.h"
#include "data/tokenizer.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

// Lines joined by single spaces, the ends trimmed.
std::string one_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    const bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (blank) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string read_caption(const std::string& image_path) {
  const std::string path = caption_path(image_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(image_path + ": no caption (expected the text file " + path + ")");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string caption = one_line(buffer.str());
  if (caption.empty()) throw DataError(path + ": the caption is empty");
  decode_utf8(caption, path);  // DataError naming the file and offset when it is not UTF-8
  return caption;
}

}  // namespace

std::string caption_path(const std::string& image_path) { return fs::path(image_path).replace_extension(".txt").string(); }

ImageDataset load_captioned_folder(const DataConfig& config, Split split) {
  ImageDataset data = load_image_folder(config, split);
  for (const ImageFile& file : image_folder_split(config, split)) data.captions.push_back(read_caption(file.path));
  return data;
}

}  // namespace gencli

// Writes the seed corpora in tests/fuzz/corpus/<harness>/: small valid files and a few edge
// cases, from gencli's own encoders. Run once; the output is committed.
//   build-fuzz/fuzz_make_corpus tests/fuzz/corpus
#include <stb_image_write.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "data/idx.h"
#include "io/png.h"
#include "io/wav.h"

using namespace gencli;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

fs::path root;

void put(const std::string& harness, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / harness);
  std::ofstream(root / harness / name, std::ios::binary) << bytes;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

std::vector<uint8_t> gradient(int w, int h, int c) {
  std::vector<uint8_t> px(size_t(w) * h * c);
  for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i * 37 + i / 7);
  return px;
}

std::string png_bytes(int w, int h, int c, const png::TextChunks& text = {}) {
  const auto px = gradient(w, h, c);
  std::string out;
  stbi_write_png_to_func(append, &out, w, h, c, px.data(), w * c);
  return png::insert_text_chunks(out, text, "seed");
}

std::string jpeg_bytes(int w, int h, int c) {
  const auto px = gradient(w, h, c);
  std::string out;
  stbi_write_jpg_to_func(append, &out, w, h, c, px.data(), 80);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_make_corpus CORPUS_DIR CONFIGS_DIR\n";
    return 2;
  }
  root = argv[1];

  idx::IdxArray images{{3, 4, 5}, {}}, labels{{3}, {7, 0, 9}};
  images.data = gradient(5, 4, 3);
  put("idx", "images.idx", idx::encode_idx(images));
  put("idx", "labels.idx", idx::encode_idx(labels));
  put("idx", "images.idx.gz", idx::gzip_compress(idx::encode_idx(images)));
  put("idx", "labels-twice.gz", idx::gzip_compress(idx::encode_idx(labels)) +
                                    idx::gzip_compress(idx::encode_idx(labels)));
  put("idx", "rank4.idx", idx::encode_idx({{1, 2, 1, 2}, {1, 2, 3, 4}}));
  std::string labels_magic = idx::encode_idx(images);
  labels_magic[3] = 1;  // images with a labels header
  put("idx", "labels-magic.idx", labels_magic);

  put("image", "gray.png", png_bytes(4, 3, 1));
  put("image", "rgba-text.png", png_bytes(3, 2, 4, {{"gencli:step", "7"}, {"Software", "gencli"}}));
  put("image", "rgb.jpg", jpeg_bytes(9, 7, 3));
  put("image", "gray.jpg", jpeg_bytes(8, 8, 1));
  const std::string cut = jpeg_bytes(16, 16, 3);
  put("image", "truncated.jpg", cut.substr(0, cut.size() / 2));

  put("wav", "pcm.wav", encode_wav(16000, {0, 1, -1, 32767, -32768, 12345}));
  put("wav", "empty.wav", encode_wav(8000, {}));
  // An extra chunk before fmt, odd-sized (so padded), as editors write LIST chunks.
  std::string listed = encode_wav(16000, {5, -5});
  listed.insert(12, "LIST\x03\x00\x00\x00" "abc\x00"s);
  put("wav", "list-chunk.wav", listed);

  put("tokenizer", "ascii", "abc\0hello"s);
  put("tokenizer", "utf8", "h\xc3\xa9llo w\xc3\xb6rld\n\xe2\x82\xac\xf0\x9f\x98\x80\0\xe2\x82\xac"s);
  put("tokenizer", "bad-utf8", "ab\xff\0\xed\xa0\x80"s);
  put("bpe", "text", "It's 2024!  Hello   world\n\tcaf\xc3\xa9 \xf0\x9f\x98\x80 low lower lowest"s);
  put("bpe", "files", "{\"a\": 0, \"b\": 1, \"ab\": 2}\0#version: 0.2\na b\n\0abba"s);

  const fs::path configs = argv[2];
  put("config", "gan_mnist", slurp(configs / "gan_mnist.json") +
                                 "\0train.steps=5\noptim.lr=0.001\ndata.root=d"s);
  put("config", "gpt_char", slurp(configs / "gpt_char.json"));
  put("config", "toy", slurp(configs / "gan_toy2d.json") + "\0name=\"x\"\nsample.num=1e2"s);
  put("config", "minimal", "{\"model\": {\"type\": \"gan\"}} // comment\0init.from=a.pt"s);
  return 0;
}

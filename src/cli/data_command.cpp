#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "data/prepare.h"

namespace gencli::cli {

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "prepare data sets");
  data->require_subcommand(1);
  auto o = std::make_shared<PrepareOptions>();
  CLI::App* prepare = data->add_subcommand("prepare", "put an MNIST-format data set in a folder");
  prepare->add_option("name", o->name, "mnist or fashion-mnist")->required();
  prepare->add_option("--out,-o", o->out_dir, "folder to fill")->required();
  prepare->add_option("--sheet", o->sheet, "OpenCV digits.png, for the offline MNIST fallback");
  prepare->add_flag("--offline", o->offline, "do not try to download the real MNIST");
  prepare->add_flag("--force", o->force, "rebuild even if the folder already holds the set");
  prepare->callback([o] {
    std::string what = prepare_dataset(*o);
    std::printf("%s: %s\n", o->out_dir.c_str(), what.c_str());
  });
}

}  // namespace gencli::cli

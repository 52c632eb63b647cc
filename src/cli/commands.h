#pragma once
// One function per subcommand: each adds its flags to the app and returns nothing;
// the callback it installs turns flags into one library call.
#include <CLI/CLI.hpp>

namespace gencli::cli {

void add_train_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);

}  // namespace gencli::cli

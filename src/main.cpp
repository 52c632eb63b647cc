// gencli: train, sample and evaluate generative models.
// Exit codes: 0 success, 1 internal error, 2 bad input (config, flags, data),
// 3 training diverged (NaN/Inf loss), 130 interrupted (checkpoint saved).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/errors.h"
#include "core/logging.h"
#include "core/runtime_tuning.h"

int main(int argc, char** argv) {
  gencli::tune_runtime(argc, argv);  // may re-execute with faster BLAS/OpenMP settings
  gencli::init_console_logging();

  CLI::App app{"gencli: train, sample and evaluate generative models"};
  app.require_subcommand(1);
  gencli::cli::add_train_command(app);
  gencli::cli::add_sample_command(app);
  gencli::cli::add_eval_command(app);
  gencli::cli::add_data_command(app);
  gencli::cli::add_info_command(app);
  gencli::cli::add_export_command(app);
  gencli::cli::add_bench_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const gencli::UserError& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const gencli::Interrupted& e) {
    spdlog::warn("{}", e.what());
    return 130;
  } catch (const gencli::TrainingDiverged& e) {
    spdlog::error("{}", e.what());
    return 3;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}

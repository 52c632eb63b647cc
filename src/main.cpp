// gencli: train, sample and evaluate generative models.
// Exit codes: 0 success, 1 internal error, 2 bad input (config, flags, data),
// 3 training diverged (NaN/Inf loss), 130 interrupted (checkpoint saved).
// No LibTorch stack trace reaches a user: GENCLI_DEBUG=1 shows the full text of an internal error.
#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/errors.h"
#include "core/logging.h"
#include "core/runtime_tuning.h"
#include "train/interrupt.h"

int main(int argc, char** argv) {
  // Training answers Ctrl-C/SIGTERM from its first moment with a message (and exit 130).
  if (argc > 1 && std::string(argv[1]) == "train") gencli::install_interrupt_handlers();
  gencli::release_held_signals();
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
  gencli::cli::add_tokenize_command(app);

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
  } catch (const gencli::ExitWith& e) {
    return e.code();
  } catch (const gencli::PeerFailure& e) {
    spdlog::error("{}", e.what());
    return 4;
  } catch (const c10::Error& e) {
    // LibTorch's text carries a C++ stack trace: a user sees its first line, a developer all.
    spdlog::error("{}", gencli::debug_mode() ? e.what() : gencli::first_line(e.what_without_backtrace()));
    return 1;
  } catch (const std::bad_alloc&) {
    spdlog::error("out of memory");
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", gencli::debug_mode() ? e.what() : gencli::first_line(e.what()));
    return 1;
  }
  return 0;
}

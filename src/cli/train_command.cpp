#include <memory>

#include "cli/commands.h"
#include "cli/option_rules.h"
#include "cli/worker_launcher.h"
#include "core/errors.h"
#include "train/trainer.h"

namespace gencli::cli {

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  auto device = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(-1);
  auto seed = std::make_shared<int64_t>(-1);
  auto launch = std::make_shared<LaunchOptions>();
  CLI::App* cmd = app.add_subcommand("train", "train a model described by a JSON config");
  cmd->add_option("--config,-c", options->config_path, "config file (JSON)");
  cmd->add_option("--set", options->overrides, "override a config key: --set optim.lr=1e-4 (repeatable)")
      ->take_all();
  cmd->add_option("--out,-o", options->out_dir, "run folder (default runs/<config name>)");
  cmd->add_option("--device", *device, "auto, cpu, cuda or cuda:N (sets train.device)");
  cmd->add_option("--threads", *threads, "CPU threads, 0 = all cores (sets train.threads)")
      ->check(integer_in(0, 4096));
  cmd->add_option("--seed", *seed, "random seed (sets train.seed)")->check(integer_in(0));
  cmd->add_flag("--resume", options->resume, "continue the run in --out from its last checkpoint");
  cmd->add_flag("--explain", options->explain, "print what each training step computes (linreg)");
  cmd->add_flag("--allow-data-change", options->allow_data_change,
                "--resume even when the training data's fingerprint differs from the checkpoint's (warns)");
  cmd->add_option("--nproc", launch->nproc,
                  "data-parallel: start N training processes on this machine (as torchrun --nproc-per-node N)")
      ->check(integer_in(1, 1024));
  cmd->add_option("--nnodes", launch->nnodes, "with --nproc: machines in the run, one launcher on each")
      ->check(integer_in(1, 4096));
  cmd->add_option("--node-rank", launch->node_rank, "with --nnodes: this machine's index (0 hosts the store)")
      ->check(integer_in(0, 4095));
  cmd->add_option("--master-addr", launch->master_addr, "with --nnodes: node 0's address (default 127.0.0.1)");
  cmd->add_option("--master-port", launch->master_port, "with --nnodes: node 0's store port")->check(integer_in(1, 65535));
  cmd->callback([=] {
    if (launch->nproc > 0) {
      if (const int code = launch_workers(*launch); code != 0) throw ExitWith(code);
      return;
    }
    if (launch->nnodes > 1 || launch->node_rank > 0 || launch->master_port > 0)
      throw UserError("train: --nnodes, --node-rank and --master-port go with --nproc");
    TrainOptions o = *options;
    if (!device->empty()) o.overrides.push_back("train.device=\"" + *device + "\"");
    if (*threads >= 0) o.overrides.push_back("train.threads=" + std::to_string(*threads));
    if (*seed >= 0) o.overrides.push_back("train.seed=" + std::to_string(*seed));
    run_training(o);
  });
}

}  // namespace gencli::cli

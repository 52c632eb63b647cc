#include "cli/worker_launcher.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <spdlog/spdlog.h>
#include <vector>

#include "core/errors.h"
#include "core/logging.h"

namespace gencli::cli {

namespace {

volatile sig_atomic_t g_signal = 0;
void remember_signal(int sig) { g_signal = sig; }

// This process's own arguments, less the launcher's flags, for the workers to run.
std::vector<std::string> worker_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  const std::vector<std::string> launcher_flags = {"--nproc", "--nnodes", "--node-rank", "--master-addr",
                                                   "--master-port"};
  std::vector<std::string> kept;
  for (size_t i = 0; i < args.size(); ++i) {
    bool skip = false;
    for (const auto& flag : launcher_flags) {
      if (args[i] == flag) {
        ++i;  // and its value
        skip = true;
      } else if (args[i].rfind(flag + "=", 0) == 0) {
        skip = true;
      }
    }
    if (!skip) kept.push_back(args[i]);
  }
  return kept;
}

pid_t start_worker(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env) {
  const pid_t pid = fork();
  if (pid < 0) throw UserError(std::string("train --nproc: cannot start a process: ") + std::strerror(errno));
  if (pid > 0) return pid;
  // The worker: its own process group, so a terminal's Ctrl-C reaches it once (through the
  // launcher), and a SIGTERM if the launcher itself dies.
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "train --nproc: cannot run %s: %s\n", args[0].c_str(), std::strerror(errno));
  _exit(127);
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

int exit_code(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

}  // namespace

int launch_workers(const LaunchOptions& o) {
  if (std::getenv("RANK") || std::getenv("WORLD_SIZE"))
    throw UserError("train --nproc: RANK or WORLD_SIZE is already set (launched by torchrun?); use one launcher");
  if (o.nnodes > 1 && o.master_port == 0)
    throw UserError("train --nnodes " + std::to_string(o.nnodes) + ": --master-port is needed (every node must name it)");
  if (o.node_rank >= o.nnodes)
    throw UserError("train --node-rank " + std::to_string(o.node_rank) + ": must be below --nnodes " + std::to_string(o.nnodes));
  const int world = o.nproc * o.nnodes;
  // Node 0 hosts the store, as torchrun's agent does: it outlives any worker, so survivors of
  // a crash can still learn who stopped.
  c10::intrusive_ptr<c10d::TCPStore> store;
  int port = o.master_port;
  if (o.node_rank == 0) {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = true;
    options.waitWorkers = false;
    try {
      store = c10::make_intrusive<c10d::TCPStore>(o.master_addr, options);
    } catch (const std::exception& e) {
      throw UserError("train --nproc: cannot open the rendezvous store on " + o.master_addr + ":" +
                      std::to_string(port) + ": " + first_line(e.what()));
    }
    port = store->getPort();
  }
  spdlog::info("starting {} processes (ranks {}-{} of {}), store at {}:{}", o.nproc, o.node_rank * o.nproc,
               o.node_rank * o.nproc + o.nproc - 1, world, o.master_addr, port);

  struct sigaction forward {};
  forward.sa_handler = remember_signal;
  sigaction(SIGINT, &forward, nullptr);
  sigaction(SIGTERM, &forward, nullptr);

  const std::vector<std::string> args = worker_arguments();
  std::vector<pid_t> pids;
  for (int local = 0; local < o.nproc; ++local) {
    const int rank = o.node_rank * o.nproc + local;
    pids.push_back(start_worker(args, {{"RANK", std::to_string(rank)},
                                       {"WORLD_SIZE", std::to_string(world)},
                                       {"LOCAL_RANK", std::to_string(local)},
                                       {"LOCAL_WORLD_SIZE", std::to_string(o.nproc)},
                                       {"MASTER_ADDR", o.master_addr},
                                       {"MASTER_PORT", std::to_string(port)},
                                       {"TORCHELASTIC_USE_AGENT_STORE", o.node_rank == 0 ? "True" : "False"}}));
  }
  int first_failure = 0, running = o.nproc;
  std::vector<bool> done(pids.size(), false);
  while (running > 0) {
    if (g_signal) {
      for (size_t i = 0; i < pids.size(); ++i)
        if (!done[i]) kill(pids[i], g_signal);
      g_signal = 0;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < pids.size(); ++i) {
      if (pids[i] != pid) continue;
      done[i] = true;
      --running;
      const int rank = o.node_rank * o.nproc + static_cast<int>(i);
      if (exit_code(status) != 0) {
        spdlog::warn("rank {} (pid {}) {}", rank, pid, how_it_ended(status));
        if (first_failure == 0) first_failure = exit_code(status);
      }
    }
  }
  return first_failure;
}

}  // namespace gencli::cli

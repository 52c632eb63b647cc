#pragma once
// `gencli train --nproc N`: starts N training processes on this machine with the environment
// torchrun would give them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), hosts
// their rendezvous store as torchrun's agent does, forwards Ctrl-C and SIGTERM, and reports
// how each one ended. With --nnodes M, one launcher per machine makes M x N processes.
#include <string>

namespace gencli::cli {

struct LaunchOptions {
  int nproc = 0;                         // processes on this machine (0: no launcher)
  int nnodes = 1;                        // machines
  int node_rank = 0;                     // this machine's index; node 0 hosts the store
  std::string master_addr = "127.0.0.1";  // node 0's address
  int master_port = 0;                   // node 0's store port (0: any free port; one machine only)
};

// Runs the workers to the end; returns the exit code of the first that failed (128 + signal for
// one killed by a signal), or 0.
int launch_workers(const LaunchOptions& options);

}  // namespace gencli::cli

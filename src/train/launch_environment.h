#pragma once
// Where this process stands in a data-parallel run, from the environment torchrun (or
// `gencli train --nproc`) sets: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.
#include <cstdint>
#include <string>

namespace gencli {

struct LaunchEnvironment {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;        // this process's index on its machine (its GPU, on CUDA)
  int64_t local_world_size = 1;  // processes on this machine (they share its cores)
  std::string master_addr;
  int master_port = 0;
  // The launcher (torchrun's agent, TORCHELASTIC_USE_AGENT_STORE=True, or gencli's own) already
  // hosts the rendezvous store on the master port: every rank joins it as a client.
  bool launcher_hosts_store = false;
  bool launched = false;  // the variables are set, even for one process: it joins a process group of one

  bool distributed() const { return launched; }
};

// The environment's answer: one process when none of the variables is set; a UserError naming
// what is missing or wrong when they are set only in part or hold bad values.
LaunchEnvironment read_launch_environment();

}  // namespace gencli

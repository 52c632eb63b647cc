#pragma once
// The processes of a data-parallel run, joined through PyTorch's c10d: a TCP store for the
// rendezvous and small exchanges, and a process group for the collectives: Gloo for CPU
// tensors, NCCL for CUDA tensors where the LibTorch build has it (else Gloo carries them).
// Every failure of another process (died, hung, unreachable) becomes one PeerFailure naming
// the rank.
#include "core/torch_api.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/torch_compat.h"
#include "train/launch_environment.h"

namespace c10d {
class Store;
}  // namespace c10d

namespace gencli {

class Collectives {
 public:
  // Joins the run `env` describes, for tensors on `device`; waits up to `timeout` for every
  // process to arrive.
  Collectives(const LaunchEnvironment& env, const torch::Device& device, std::chrono::seconds timeout);
  ~Collectives();
  Collectives(const Collectives&) = delete;
  Collectives& operator=(const Collectives&) = delete;

  int64_t rank() const { return env_.rank; }
  int64_t world_size() const { return env_.world_size; }
  const std::string& backend() const { return backend_; }  // "gloo" or "nccl"

  // Replaces each tensor by its mean over the processes (gradients), packed into buckets of
  // a few MB so that a model's many small tensors cost a few all-reduces, not hundreds.
  void average(const std::vector<torch::Tensor>& tensors, const std::string& what);
  // Replaces each tensor by rank 0's (buffers: BatchNorm's running statistics), in buckets.
  void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, const std::string& what);
  // The element-wise mean of a few numbers over the processes (a step's metrics).
  std::vector<double> mean(const std::vector<double>& values, const std::string& what);
  // Every process's `mine`, in rank order, exchanged through the store under `key`.
  std::vector<std::string> gather(const std::string& key, const std::string& mine);
  void barrier(const std::string& what);

 private:
  void join();
  [[noreturn]] void fail(const std::string& what, const std::exception& e);
  enum class Reduction { mean, rank0 };
  void all_in_buckets(const std::vector<torch::Tensor>& tensors, Reduction reduction, const std::string& what);
  std::string unresponsive_ranks();
  void beat();

  LaunchEnvironment env_;
  std::chrono::seconds timeout_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::Store> heartbeat_store_;  // a second connection, for the heartbeat thread
  c10::intrusive_ptr<torch_compat::CollectiveBackend> group_;
  torch::Device device_;
  std::string backend_ = "gloo";
  std::atomic<bool> stopping_{false};
  std::thread heartbeat_;
  int64_t exchanges_ = 0;
};

}  // namespace gencli

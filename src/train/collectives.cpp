#include "train/collectives.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef GENCLI_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/logging.h"

namespace gencli {

namespace {

constexpr int64_t kBucketBytes = 8 << 20;
constexpr auto kHeartbeatPeriod = std::chrono::milliseconds(500);

std::string address(const LaunchEnvironment& env) { return env.master_addr + ":" + std::to_string(env.master_port); }

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

c10::intrusive_ptr<c10d::Store> connect_store(const LaunchEnvironment& env, bool server, std::chrono::seconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(env.master_port);
  options.isServer = server;
  options.waitWorkers = false;  // joining is checked below, with a message that says who is missing
  options.timeout = timeout;
  return c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
}

// Gloo's network device: the loopback interface for a run on one machine, GLOO_SOCKET_IFNAME
// where the user names one, else the address this machine's hostname resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const LaunchEnvironment& env) {
  if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name && *name)
    return c10d::ProcessGroupGloo::createDeviceForInterface(name);
  if (is_loopback(env.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

}  // namespace

Collectives::Collectives(const LaunchEnvironment& env, const torch::Device& device, std::chrono::seconds timeout)
    : env_(env), timeout_(timeout), device_(device) {
  const bool server = env_.rank == 0 && !env_.launcher_hosts_store;
  try {
    store_ = c10::make_intrusive<c10d::PrefixStore>("gencli", connect_store(env_, server, timeout_));
    heartbeat_store_ = c10::make_intrusive<c10d::PrefixStore>("gencli", connect_store(env_, false, timeout_));
  } catch (const std::exception& e) {
    throw PeerFailure(fmt::format("rank {}: cannot {} the rendezvous store at {} within {} s ({}): {}", env_.rank,
                                  server ? "open" : "reach", address(env_), timeout_.count(),
                                  server ? "is the port in use?" : "is rank 0 or the launcher running there?",
                                  first_line(e.what())));
  }
  heartbeat_ = std::thread([this] { beat(); });
  try {
    join();
  } catch (...) {
    stopping_ = true;  // a constructor that throws runs no destructor: stop the heartbeat here
    heartbeat_.join();
    throw;
  }
}

// Waits for every process to count itself in, then connects the process group.
void Collectives::join() {
  const std::string run_key = "joined";
  store_->add(run_key, 1);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int64_t joined = 0;
  while ((joined = store_->add(run_key, 0)) < env_.world_size) {
    if (std::chrono::steady_clock::now() > deadline)
      throw PeerFailure(fmt::format("rank {}: only {} of {} processes joined at {} within train.dist_timeout_s "
                                    "({} s)", env_.rank, joined, env_.world_size, address(env_), timeout_.count()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  try {
#ifdef GENCLI_NCCL
    if (device_.is_cuda()) {
      // Blocking waits make a collective that outlives the timeout throw, as Gloo's do, rather
      // than have NCCL's watchdog abort the process without a word on who failed.
      setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = std::chrono::milliseconds(timeout_);
      group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", store_),
                                                           static_cast<int>(env_.rank),
                                                           static_cast<int>(env_.world_size), options);
      backend_ = "nccl";
      return;
    }
#endif
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_));
    options->devices.push_back(gloo_device(env_));
    group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", store_),
                                                         static_cast<int>(env_.rank),
                                                         static_cast<int>(env_.world_size), options);
  } catch (const std::exception& e) {
    fail("connecting the process group", e);
  }
}

Collectives::~Collectives() {
  stopping_ = true;
  if (heartbeat_.joinable()) heartbeat_.join();
}

// Every process bumps its counter in the store twice a second, so that when a collective fails
// the survivors can tell which process stopped (died, or hangs in a way that stops it all).
void Collectives::beat() {
  const std::string key = "heartbeat/" + std::to_string(env_.rank);
  while (!stopping_) {
    try {
      heartbeat_store_->add(key, 1);
    } catch (const std::exception&) {
      return;  // the store is gone: the run is ending, or failing, and the main thread will say so
    }
    for (int i = 0; i < 10 && !stopping_; ++i) std::this_thread::sleep_for(kHeartbeatPeriod / 10);
  }
}

std::string Collectives::unresponsive_ranks() {
  auto counters = [&] {
    std::vector<int64_t> c;
    for (int64_t r = 0; r < env_.world_size; ++r) c.push_back(store_->add("heartbeat/" + std::to_string(r), 0));
    return c;
  };
  try {
    store_->setTimeout(std::chrono::seconds(5));
    const std::vector<int64_t> before = counters();
    std::this_thread::sleep_for(4 * kHeartbeatPeriod);
    const std::vector<int64_t> after = counters();
    std::string ranks;
    for (int64_t r = 0; r < env_.world_size; ++r)
      if (r != env_.rank && after[r] == before[r]) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
    if (ranks.empty()) return "";
    return (ranks.find(',') == std::string::npos ? "rank " : "ranks ") + ranks + " stopped (died or hung)";
  } catch (const std::exception&) {
    return "the rendezvous store at " + address(env_) + " is gone too: " +
           (env_.launcher_hosts_store ? "the launcher" : "rank 0, which hosts it,") + " has stopped";
  }
}

void Collectives::fail(const std::string& what, const std::exception& e) {
  const std::string who = unresponsive_ranks();
  throw PeerFailure(fmt::format("rank {}: {} failed{}: {}", env_.rank, what, who.empty() ? "" : ", " + who,
                                first_line(e.what())));
}

void Collectives::average(const std::vector<torch::Tensor>& tensors, const std::string& what) {
  all_in_buckets(tensors, Reduction::mean, what);
}

void Collectives::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, const std::string& what) {
  all_in_buckets(tensors, Reduction::rank0, what);
}

void Collectives::all_in_buckets(const std::vector<torch::Tensor>& tensors, Reduction reduction,
                                 const std::string& what) {
  // Buckets of tensors of one type and device, each packed into one flat tensor.
  std::vector<std::vector<torch::Tensor>> buckets;
  int64_t bucket_bytes = 0;
  for (const torch::Tensor& t : tensors) {
    if (!t.defined()) continue;
    const int64_t size = t.numel() * static_cast<int64_t>(t.element_size());
    const bool fits = !buckets.empty() && bucket_bytes + size <= kBucketBytes &&
                      buckets.back().front().options().type_equal(t.options());
    if (!fits) {
      buckets.emplace_back();
      bucket_bytes = 0;
    }
    buckets.back().push_back(t);
    bucket_bytes += size;
  }
  std::vector<torch::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> pending;
  try {
    for (auto& bucket : buckets) {
      std::vector<torch::Tensor> pieces;
      for (const auto& t : bucket) pieces.push_back(t.reshape({-1}));
      std::vector<torch::Tensor> flat = {torch::cat(pieces)};
      pending.push_back(reduction == Reduction::mean ? group_->allreduce(flat) : group_->broadcast(flat));
      flats.push_back(flat[0]);
    }
    for (auto& work : pending) work->wait();
  } catch (const std::exception& e) {
    fail(what, e);
  }
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (reduction == Reduction::mean) flats[b].div_(static_cast<double>(env_.world_size));
    int64_t offset = 0;
    for (auto& t : buckets[b]) {
      t.copy_(flats[b].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

std::vector<double> Collectives::mean(const std::vector<double>& values, const std::string& what) {
  // On the group's device: NCCL reduces CUDA tensors only.
  std::vector<torch::Tensor> t = {torch::tensor(values, torch::kDouble).to(backend_ == "nccl" ? device_ : torch::kCPU)};
  try {
    group_->allreduce(t)->wait();
  } catch (const std::exception& e) {
    fail(what, e);
  }
  const torch::Tensor mean = t[0].cpu() / static_cast<double>(env_.world_size);
  return {mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel()};
}

std::vector<std::string> Collectives::gather(const std::string& key, const std::string& mine) {
  const std::string prefix = "gather/" + std::to_string(exchanges_++) + "/" + key + "/";
  std::vector<std::string> all;
  try {
    store_->set(prefix + std::to_string(env_.rank), bytes(mine));
    for (int64_t r = 0; r < env_.world_size; ++r) all.push_back(text(store_->get(prefix + std::to_string(r))));
  } catch (const std::exception& e) {
    fail("exchanging " + key, e);
  }
  return all;
}

void Collectives::barrier(const std::string& what) {
  try {
    group_->barrier()->wait();
  } catch (const std::exception& e) {
    fail(what, e);
  }
}

}  // namespace gencli

// The training-cost report: the FLOP counter against hand-counted networks, and the energy
// totals' arithmetic and round trip through a checkpoint's JSON.
#include <gtest/gtest.h>

#include "core/torch_api.h"
#include "train/energy_meter.h"
#include "train/flop_counter.h"

using namespace gencli;

TEST(FlopCounter, CountsALinearLayerForwardAndBackward) {
  torch::nn::Linear layer(20, 30);
  torch::Tensor x = torch::randn({8, 20});
  FlopCounter counter;
  layer->forward(x).sum().backward();
  // Forward 2*8*20*30; backward only the weight gradient (x needs none): 2*30*8*20.
  EXPECT_DOUBLE_EQ(counter.flops(), 2.0 * 8 * 20 * 30 * 2);
}

TEST(FlopCounter, CountsConvolutionsAndTheirGradients) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3).padding(1));
  torch::Tensor x = torch::randn({2, 3, 5, 5}, torch::requires_grad());
  const double forward = 2.0 * (2 * 4 * 5 * 5) * (3 * 3 * 3);  // every output: a 3x3x3 dot product
  {
    FlopCounter counter;
    torch::NoGradGuard no_grad;
    conv->forward(x);
    EXPECT_DOUBLE_EQ(counter.flops(), forward);
  }
  FlopCounter counter;
  conv->forward(x).sum().backward();
  EXPECT_DOUBLE_EQ(counter.flops(), 3 * forward);  // forward, input gradient, weight gradient
}

TEST(FlopCounter, StopsCountingWhenDestroyed) {
  double counted = 0;
  {
    FlopCounter counter;
    torch::mm(torch::ones({4, 5}), torch::ones({5, 6}));
    counted = counter.flops();
  }
  EXPECT_DOUBLE_EQ(counted, 2.0 * 4 * 5 * 6);
  FlopCounter fresh;
  EXPECT_DOUBLE_EQ(fresh.flops(), 0.0);
}

TEST(EnergyReport, EstimatesFromCpuTimeAndKeepsEarlierSessions) {
  TrainConfig config;
  config.cpu_watts_per_core = 10;
  config.grid_g_co2e_per_kwh = 500;
  EnergyTotals earlier;
  earlier.wall_s = 100;
  earlier.cpu_s = 150;
  earlier.flops = 1e12;
  earlier.energy_j = 1500;
  earlier.steps = 1000;
  EnergyMeter meter(config, /*gpu=*/false, earlier);
  meter.add_steps(10, 2e9);
  volatile double burn = 0;
  for (int i = 0; i < 20000000; ++i) burn = burn + i * 1e-9;  // some CPU time for this session
  const nlohmann::json r = meter.report();
  EXPECT_EQ(r["steps"].get<int64_t>(), 1010);
  EXPECT_DOUBLE_EQ(r["flops"].get<double>(), 1e12 + 10 * 2e9);
  EXPECT_GT(r["cpu_s"].get<double>(), 150.0);
  EXPECT_GT(r["wall_s"].get<double>(), 100.0);
  if (r["energy_source"].get<std::string>().rfind("estimated", 0) == 0) {  // no RAPL counters: 10 W x CPU seconds
    EXPECT_NEAR(r["energy_j"].get<double>(), 1500 + 10 * (r["cpu_s"].get<double>() - 150), 1e-3);
  }
  EXPECT_TRUE(r["energy_estimated"].get<bool>());  // the earlier session was estimated
  EXPECT_NEAR(r["co2e_g"].get<double>(), r["energy_j"].get<double>() / 3.6e6 * 500, 1e-12);

  const EnergyTotals back = EnergyTotals::from_json(r);
  EXPECT_EQ(back.steps, 1010);
  EXPECT_DOUBLE_EQ(back.energy_j, r["energy_j"].get<double>());
}

TEST(EnergyReport, AddsTheGpuEstimateForGpuRuns) {
  TrainConfig config;
  config.cpu_watts_per_core = 0;
  config.gpu_watts = 250;
  EnergyMeter meter(config, /*gpu=*/true, EnergyTotals{});
  const nlohmann::json r = meter.report();
  EXPECT_TRUE(r["energy_estimated"].get<bool>());
  // 250 W over the session's wall time, plus the CPU package's RAPL reading where there is one.
  EXPECT_GE(r["energy_j"].get<double>(), 250 * r["wall_s"].get<double>() - 1e-9);
  EXPECT_GT(r["wall_s"].get<double>(), 0.0);
}

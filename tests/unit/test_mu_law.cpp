// Mu-law companding: the endpoints, monotonicity, every code surviving decode -> encode, and
// a round trip whose error stays within half a quantisation step of the curve at each x (the
// step grows with |x|, which is the point of mu-law).
#include <gtest/gtest.h>

#include <cmath>

#include "data/mu_law.h"

using namespace gencli;

TEST(MuLaw, EndpointsAndZero) {
  const torch::Tensor codes = mu_law_encode(torch::tensor({-1.f, 0.f, 1.f}));
  EXPECT_EQ(codes.scalar_type(), torch::kLong);
  EXPECT_EQ(codes[0].item<int64_t>(), 0);
  EXPECT_EQ(codes[2].item<int64_t>(), 255);
  // With an even number of levels 0 falls between two: it takes one of the middle pair.
  const int64_t middle = codes[1].item<int64_t>();
  EXPECT_TRUE(middle == 127 || middle == 128) << middle;

  const torch::Tensor ends = mu_law_decode(torch::tensor({0, 255}, torch::kLong));
  EXPECT_FLOAT_EQ(ends[0].item<float>(), -1.f);
  EXPECT_FLOAT_EQ(ends[1].item<float>(), 1.f);
  // Out-of-range input is clamped, not wrapped.
  EXPECT_TRUE(mu_law_encode(torch::tensor({-3.f, 2.f})).equal(torch::tensor({0, 255}, torch::kLong)));
}

TEST(MuLaw, MonotonicAndEveryCodeSurvives) {
  const torch::Tensor x = torch::linspace(-1, 1, 20001);
  const torch::Tensor codes = mu_law_encode(x);
  EXPECT_TRUE((codes.diff() >= 0).all().item<bool>());          // never decreases with x
  EXPECT_EQ(torch::bincount(codes).gt(0).sum().item<int64_t>(), 256);  // and uses every level

  const torch::Tensor all = torch::arange(256, torch::kLong);
  const torch::Tensor levels = mu_law_decode(all);
  EXPECT_TRUE((levels.diff() > 0).all().item<bool>());         // strictly increasing
  EXPECT_TRUE(torch::allclose(levels, -levels.flip(0)));        // symmetric about 0
  EXPECT_TRUE(mu_law_encode(levels).equal(all));                // decode then encode is the identity
}

TEST(MuLaw, RoundTripWithinHalfAStepOfTheCurve) {
  const double mu = 255, log1p_mu = std::log1p(mu);
  const torch::Tensor x = torch::linspace(-1, 1, 20001, torch::kDouble);
  const torch::Tensor error = (mu_law_decode(mu_law_encode(x)).to(torch::kDouble) - x).abs();
  // Codes are uniform in y = F(x), 2/mu apart, so |y_hat - y| <= 1/mu; x = F^-1(y) has slope
  // ln(1+mu) (1+mu)^|y| / mu, largest at the far end of that interval.
  const torch::Tensor y = x.sign() * torch::log1p(mu * x.abs()) / log1p_mu;
  const torch::Tensor half_step = (1 / mu) * log1p_mu * torch::pow(1 + mu, y.abs() + 1 / mu) / mu;
  EXPECT_TRUE((error <= half_step * 1.001 + 1e-7).all().item<bool>())
      << "worst excess " << (error - half_step).max().item<double>();
  // The bound is not slack: near full scale the error is tens of times that near silence.
  const torch::Tensor loud = x.abs() > 0.9, quiet = x.abs() < 0.01;
  EXPECT_GT(error.masked_select(loud).max().item<double>(), 0.015);
  EXPECT_LT(error.masked_select(quiet).max().item<double>(), 0.001);
}

TEST(MuLaw, OtherLevelCountsAndShapes) {
  const torch::Tensor x = torch::rand({2, 3, 50}) * 2 - 1;
  const torch::Tensor codes = mu_law_encode(x, 16);
  EXPECT_EQ(codes.sizes(), x.sizes());
  EXPECT_GE(codes.min().item<int64_t>(), 0);
  EXPECT_LE(codes.max().item<int64_t>(), 15);
  const torch::Tensor back = mu_law_decode(codes, 16);
  EXPECT_EQ(back.scalar_type(), torch::kFloat);
  EXPECT_TRUE(mu_law_encode(back, 16).equal(codes));
}

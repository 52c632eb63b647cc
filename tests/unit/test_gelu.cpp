// The fused GELU against LibTorch's, exact and tanh-approximated: values and input gradients
// over a wide range (the tails included), sizes that split unevenly across threads, a
// non-contiguous input, and the fallback for other dtypes.
#include <gtest/gtest.h>

#include "models/gelu.h"

using namespace gencli;

namespace {

std::pair<torch::Tensor, torch::Tensor> gelu_value_and_grad(torch::Tensor (*f)(const torch::Tensor&, const std::string&),
                                                            torch::Tensor x, const std::string& approximation,
                                                            const torch::Tensor& upstream) {
  x = x.detach().requires_grad_(true);
  torch::Tensor y = f(x, approximation);
  torch::Tensor grad = torch::autograd::grad({y}, {x}, {upstream})[0];
  return {y.detach(), grad};
}

// Errors relative to max(1, |x|): the erf approximation's error is absolute, times x.
void expect_gelu_matches(const torch::Tensor& x, const std::string& approximation) {
  torch::Tensor upstream = torch::randn(x.sizes());
  auto [y, g] = gelu_value_and_grad(gelu, x, approximation, upstream);
  auto [y_ref, g_ref] = gelu_value_and_grad(gelu_reference, x, approximation, upstream);
  torch::Tensor scale = x.detach().abs().clamp_min(1);
  EXPECT_LT(((y - y_ref).abs() / scale).max().item<float>(), 1e-6) << approximation << " " << x.sizes();
  // The tanh form's derivative multiplies tanh's rounding by up to ~10 in the tails.
  const double grad_tolerance = approximation == "tanh" ? 5e-6 : 1e-6;
  EXPECT_LT(((g - g_ref).abs() / upstream.abs().clamp_min(1)).max().item<float>(), grad_tolerance)
      << approximation << " " << x.sizes();
}

}  // namespace

TEST(Gelu, MatchesLibTorchExactAndTanh) {
  torch::manual_seed(11);
  for (const std::string approximation : {"none", "tanh"}) {
    expect_gelu_matches(torch::randn({12, 64, 512}) * 3, approximation);
    expect_gelu_matches(torch::linspace(-40, 40, 100001), approximation);  // tails and zero
    expect_gelu_matches(torch::randn({7, 13}), approximation);
    expect_gelu_matches(torch::randn({64, 30}).t(), approximation);  // not contiguous
  }
}

TEST(Gelu, OtherDtypesUseLibTorch) {
  torch::Tensor x = torch::randn({5, 6}, torch::kDouble);
  EXPECT_TRUE(torch::equal(gencli::gelu(x, "none"), gelu_reference(x, "none")));
  EXPECT_THROW(gencli::gelu(torch::randn({3}), "erf"), c10::Error);
}

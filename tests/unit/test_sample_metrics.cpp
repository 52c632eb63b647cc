// The sample-quality metrics against closed forms and synthetic sets whose answer is known:
// Fréchet distance, KID's unbiasedness, the classifier score, precision/recall on point clouds,
// class coverage on hand-made histograms, and the detection test.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/class_coverage.h"
#include "eval/classifier_score.h"
#include "eval/detection.h"
#include "eval/frechet_distance.h"
#include "eval/kernel_distance.h"
#include "eval/precision_recall.h"

using namespace gencli::eval;

namespace {

torch::Generator seeded(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

// A random symmetric positive definite matrix.
torch::Tensor random_covariance(int64_t d, uint64_t seed) {
  auto g = seeded(seed);
  torch::Tensor a = torch::randn({d, d}, g, torch::kDouble);
  return a.mm(a.t()) / d + 0.1 * torch::eye(d, torch::kDouble);
}

}  // namespace

TEST(FrechetDistance, OfASetWithItselfIsZero) {
  auto g = seeded(1);
  torch::Tensor x = torch::randn({2000, 32}, g) * 3 + 1;
  const GaussianStats s = gaussian_stats(x);
  EXPECT_NEAR(frechet_distance(s, s), 0.0, 1e-6);
}

TEST(FrechetDistance, MatchesTheClosedFormForDiagonalGaussians) {
  // N(0, I) against N(1, 4 I) in d dimensions: |mu|^2 = d, tr(I + 4I - 2 * 2I) = d, so 2d.
  const int64_t d = 16;
  GaussianStats a{torch::zeros({d}, torch::kDouble), torch::eye(d, torch::kDouble)};
  GaussianStats b{torch::ones({d}, torch::kDouble), 4 * torch::eye(d, torch::kDouble)};
  EXPECT_NEAR(frechet_distance(a, b), 2.0 * d, 1e-9);
}

TEST(FrechetDistance, MatchesTheEigenvaluesOfTheProductForGeneralCovariances) {
  // tr((S1 S2)^(1/2)) = sum of sqrt(eigenvalues of S1 S2), computed here the slow, direct way.
  const int64_t d = 12;
  torch::Tensor s1 = random_covariance(d, 2), s2 = random_covariance(d, 3);
  auto g = seeded(4);
  torch::Tensor m1 = torch::randn({d}, g, torch::kDouble), m2 = torch::randn({d}, g, torch::kDouble);
  const double cross = torch::real(torch::linalg_eigvals(s1.mm(s2))).sqrt().sum().item<double>();
  const double expected =
      (m1 - m2).pow(2).sum().item<double>() + s1.trace().item<double>() + s2.trace().item<double>() - 2 * cross;
  EXPECT_NEAR(frechet_distance({m1, s1}, {m2, s2}), expected, 1e-8 * expected);
}

TEST(FrechetDistance, EstimatedFromSamplesApproachesTheTruth) {
  auto g = seeded(5);
  torch::Tensor a = torch::randn({20000, 4}, g), b = torch::randn({20000, 4}, g) + 1;  // true distance 4
  EXPECT_NEAR(frechet_distance(gaussian_stats(a), gaussian_stats(b)), 4.0, 0.1);
}

TEST(FrechetDistance, StaysFiniteWithFewerSamplesThanDimensions) {
  auto g = seeded(6);
  torch::Tensor a = torch::randn({10, 64}, g), b = torch::randn({10, 64}, g);
  const double d = frechet_distance(gaussian_stats(a), gaussian_stats(b));
  EXPECT_TRUE(std::isfinite(d));
  EXPECT_GT(d, 0.0);
}

TEST(KernelDistance, IsUnbiasedOnTwoSamplesOfOneDistribution) {
  // Averaged over many independent small draws, the unbiased estimate sits at 0, while the
  // biased one (the diagonal k(x, x) kept) is clearly positive at this size.
  auto g = seeded(7);
  double unbiased = 0, biased = 0;
  const int draws = 400, m = 20, d = 8;
  for (int i = 0; i < draws; ++i) {
    torch::Tensor x = torch::randn({m, d}, g, torch::kDouble), y = torch::randn({m, d}, g, torch::kDouble);
    unbiased += unbiased_mmd2(x, y) / draws;
    auto k = [&](const torch::Tensor& a, const torch::Tensor& b) { return (a.mm(b.t()) / d + 1).pow(3); };
    biased += ((k(x, x).sum() + k(y, y).sum()) / (m * m) - 2 * k(x, y).sum() / (m * m)).item<double>() / draws;
  }
  EXPECT_GT(biased, 0.05);
  EXPECT_LT(std::abs(unbiased), 0.1 * biased);
}

TEST(KernelDistance, SeparatesDifferentDistributionsAndReportsSpread) {
  auto g = seeded(8);
  torch::Tensor a = torch::randn({1500, 8}, g), same = torch::randn({1500, 8}, g), shifted = torch::randn({1500, 8}, g) + 0.5;
  const KernelDistance near = kernel_distance(a, same, 50, 500, 1);
  const KernelDistance far = kernel_distance(a, shifted, 50, 500, 1);
  EXPECT_EQ(near.subset_size, 500);
  EXPECT_LT(std::abs(near.mean), 3 * near.std);
  EXPECT_GT(far.mean, 10 * far.std);
  EXPECT_GT(far.std, 0.0);
}

TEST(ClassifierScore, IsTheNumberOfClassesForConfidentVariedSamplesAndOneForCollapse) {
  torch::Tensor varied = torch::eye(10).repeat({100, 1});            // each class equally often, certain
  torch::Tensor collapsed = torch::zeros({1000, 10});
  collapsed.select(1, 3).fill_(1);                                    // always class 3
  torch::Tensor unsure = torch::full({1000, 10}, 0.1);                // no idea
  EXPECT_NEAR(classifier_score(varied).mean, 10.0, 1e-6);
  EXPECT_NEAR(classifier_score(collapsed).mean, 1.0, 1e-6);
  EXPECT_NEAR(classifier_score(unsure).mean, 1.0, 1e-6);
}

TEST(PrecisionRecall, MeasuresTheOverlapOfTwoPointClouds) {
  // Uniform squares [0,1]^2 and [0.5,1.5]x[0,1]: half of each lies in the other's support.
  auto g = seeded(9);
  torch::Tensor real = torch::rand({3000, 2}, g);
  torch::Tensor shifted = torch::rand({3000, 2}, g) + torch::tensor({0.5f, 0.0f});
  const PrecisionRecall half = precision_recall(real, shifted, 3);
  EXPECT_NEAR(half.precision, 0.5, 0.05);
  EXPECT_NEAR(half.recall, 0.5, 0.05);

  // A generator that covers only the left half of the data: realistic, but half the variety.
  torch::Tensor left = torch::rand({3000, 2}, g) * torch::tensor({0.5f, 1.0f});
  const PrecisionRecall narrow = precision_recall(real, left, 3);
  EXPECT_GT(narrow.precision, 0.9);
  EXPECT_NEAR(narrow.recall, 0.5, 0.06);

  const PrecisionRecall same = precision_recall(real, torch::rand({3000, 2}, g), 3);
  EXPECT_GT(same.precision, 0.9);
  EXPECT_GT(same.recall, 0.9);
  const PrecisionRecall apart = precision_recall(real, torch::rand({3000, 2}, g) + 5, 3);
  EXPECT_EQ(apart.precision, 0.0);
  EXPECT_EQ(apart.recall, 0.0);
}

TEST(ClassCoverage, ReadsHandMadeHistograms) {
  const ClassCoverage uniform = class_coverage(torch::arange(1000).remainder(10), 10);
  EXPECT_NEAR(uniform.entropy_bits, std::log2(10.0), 1e-9);
  EXPECT_NEAR(uniform.max_entropy_bits, std::log2(10.0), 1e-12);
  EXPECT_TRUE(uniform.rare_classes.empty());
  EXPECT_NEAR(uniform.shares[7], 0.1, 1e-12);

  const ClassCoverage collapsed = class_coverage(torch::full({500}, 4, torch::kLong), 10);
  EXPECT_EQ(collapsed.entropy_bits, 0.0);
  EXPECT_EQ(collapsed.rare_classes, (std::vector<int64_t>{0, 1, 2, 3, 5, 6, 7, 8, 9}));

  // Two classes at 50 % each is 1 bit; a class with 5 of 1000 (0.5 %) counts as rare.
  std::vector<int64_t> labels(495, 0);
  labels.insert(labels.end(), 500, 1);
  labels.insert(labels.end(), 5, 2);
  const ClassCoverage skewed = class_coverage(torch::tensor(labels), 3);
  EXPECT_EQ(skewed.rare_classes, (std::vector<int64_t>{2}));
  EXPECT_NEAR(skewed.entropy_bits, -(0.495 * std::log2(0.495) + 0.5 * std::log2(0.5) + 0.005 * std::log2(0.005)),
              1e-12);
}

TEST(Detection, WilsonIntervalMatchesTheTextbook) {
  auto [low, high] = wilson_interval(0.5, 100);
  EXPECT_NEAR(low, 0.4038, 1e-4);
  EXPECT_NEAR(high, 0.5962, 1e-4);
  auto [low1, high1] = wilson_interval(1.0, 50);
  EXPECT_NEAR(high1, 1.0, 1e-12);
  EXPECT_NEAR(low1, 0.9287, 1e-4);
}

namespace {

// 12x12 images of one bright blob at a random place on a dark background, in [0, 1].
torch::Tensor blob_images(int64_t n, uint64_t seed) {
  auto g = seeded(seed);
  torch::Tensor centre = torch::rand({n, 2, 1, 1}, g) * 8 + 2;
  torch::Tensor ys = torch::arange(12, torch::kFloat).view({1, 12, 1}), xs = torch::arange(12, torch::kFloat).view({1, 1, 12});
  torch::Tensor d2 = (ys - centre.select(1, 0)).pow(2) + (xs - centre.select(1, 1)).pow(2);
  return torch::exp(-d2 / 4).unsqueeze(1);
}

}  // namespace

TEST(Detection, IsNearChanceForTwoHalvesOfOneSet) {
  torch::Tensor images = blob_images(2000, 10);
  const Detection d = detection_test(images.slice(0, 0, 1000), images.slice(0, 1000, 2000), 1);
  EXPECT_EQ(d.test_images, 1000);
  EXPECT_NEAR(d.accuracy, 0.5, 0.06);
  EXPECT_LT(d.ci_low, d.accuracy);
  EXPECT_GT(d.ci_high, d.accuracy);
}

TEST(Detection, IsNearPerfectForRealImagesAgainstNoise) {
  auto g = seeded(11);
  const Detection d = detection_test(blob_images(1000, 12), torch::rand({1000, 1, 12, 12}, g), 1);
  EXPECT_GT(d.accuracy, 0.97);
}

TEST(Detection, CutsTheLargerSetToTheSmaller) {
  auto g = seeded(13);
  const Detection d = detection_test(blob_images(100, 14), torch::rand({400, 1, 12, 12}, g), 1);
  EXPECT_EQ(d.train_images + d.test_images, 200);
}

TEST(Detection, LeavesTheGlobalGeneratorAsItWas) {
  torch::manual_seed(5);
  torch::Tensor expected = torch::rand({4});
  torch::manual_seed(5);
  detection_test(blob_images(40, 15), blob_images(40, 16), 1);
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));
}

#include "eval/sample_quality.h"

#include <chrono>
#include <spdlog/fmt/fmt.h>

#include "core/errors.h"
#include "eval/class_coverage.h"
#include "eval/classifier_score.h"
#include "eval/detection.h"
#include "eval/frechet_distance.h"
#include "eval/kernel_distance.h"
#include "eval/precision_recall.h"

namespace gencli::eval {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The first n rows of a random permutation: equal-sized sets for precision and recall, whose
// kNN radii depend on how many points each set has.
torch::Tensor random_rows(const torch::Tensor& x, int64_t n, at::Generator& generator) {
  return x.index_select(0, torch::randperm(x.size(0), generator, torch::kLong).slice(0, 0, n));
}

}  // namespace

nlohmann::json sample_quality(FeatureNetwork& network, const QualitySets& sets, const QualitySettings& s) {
  const auto started = Clock::now();
  FeatureOutput candidates = network.run(sets.candidates, sets.candidates_name);
  FeatureOutput reference = network.run(sets.reference, sets.reference_name);
  const double feature_seconds = seconds_since(started);

  const auto metrics_started = Clock::now();
  nlohmann::json j;
  j["feature_network"] = network.path();
  j["feature_dim"] = network.feature_dim();
  j["candidates"] = sets.candidates_name;
  j["candidate_images"] = sets.candidates.size(0);
  j["reference"] = sets.reference_name;
  j["reference_images"] = sets.reference.size(0);
  j["fid"] = frechet_distance(gaussian_stats(candidates.features), gaussian_stats(reference.features));

  const KernelDistance kid =
      kernel_distance(candidates.features, reference.features, s.kid_subsets, s.kid_subset_size, s.seed);
  j["kid"] = kid.mean;
  j["kid_std"] = kid.std;
  j["kid_subsets"] = kid.subsets;
  j["kid_subset_size"] = kid.subset_size;

  const ClassifierScore score = classifier_score(candidates.probabilities, s.score_splits);
  j["classifier_score"] = score.mean;
  j["classifier_score_std"] = score.std;

  auto generator = at::detail::createCPUGenerator(s.seed);
  const int64_t n = std::min(candidates.features.size(0), reference.features.size(0));
  const PrecisionRecall pr = precision_recall(random_rows(reference.features, n, generator),
                                              random_rows(candidates.features, n, generator), s.neighbours);
  j["precision"] = pr.precision;
  j["recall"] = pr.recall;
  j["pr_k"] = pr.k;
  j["pr_points"] = n;

  torch::Tensor predicted = candidates.probabilities.argmax(1);
  const ClassCoverage coverage = class_coverage(predicted, network.num_classes());
  j["class_shares"] = coverage.shares;
  j["class_entropy_bits"] = coverage.entropy_bits;
  j["class_entropy_max_bits"] = coverage.max_entropy_bits;
  j["classes_below_1pct"] = coverage.rare_classes;
  if (sets.intended_labels.defined())
    j["conditional_accuracy"] = predicted.eq(sets.intended_labels.to(torch::kCPU)).to(torch::kDouble).mean().item<double>();
  const double metric_seconds = seconds_since(metrics_started);

  const auto detection_started = Clock::now();
  const Detection d = detection_test(sets.reference, sets.candidates, s.seed, network.device());
  j["detection_accuracy"] = d.accuracy;
  j["detection_ci95"] = {d.ci_low, d.ci_high};
  j["detection_train_images"] = d.train_images;
  j["detection_test_images"] = d.test_images;
  j["seconds_features"] = feature_seconds;
  j["seconds_metrics"] = metric_seconds;
  j["seconds_detection"] = seconds_since(detection_started);
  return j;
}

std::string format_sample_quality(const nlohmann::json& q) {
  const bool has_floor = q.contains("floor");
  const nlohmann::json& floor = has_floor ? q["floor"] : q;
  std::string out;
  // A metric's line, with the real-vs-real floor's value in brackets when there is one.
  auto line = [&](const std::string& name, const std::string& value, const std::string& floor_value = "") {
    out += fmt::format("  {:<26} {}{}\n", name, value,
                       has_floor && !floor_value.empty() ? "   [real floor: " + floor_value + "]" : "");
  };
  auto number = [](const nlohmann::json& r, const char* key) { return fmt::format("{:.4g}", r[key].get<double>()); };
  auto spread = [](const nlohmann::json& r, const char* key) {
    return fmt::format("{:.4g} ± {:.2g}", r[key].get<double>(), r[std::string(key) + "_std"].get<double>());
  };
  auto pr = [](const nlohmann::json& r) {
    return fmt::format("{:.3f} / {:.3f}", r["precision"].get<double>(), r["recall"].get<double>());
  };
  auto entropy = [](const nlohmann::json& r) { return fmt::format("{:.3f}", r["class_entropy_bits"].get<double>()); };
  auto detection = [](const nlohmann::json& r) {
    return fmt::format("{:.1f} % (95 % CI {:.1f}-{:.1f})", 100 * r["detection_accuracy"].get<double>(),
                       100 * r["detection_ci95"][0].get<double>(), 100 * r["detection_ci95"][1].get<double>());
  };

  out += "sample quality\n";
  line("feature network", fmt::format("{} ({} features)", q["feature_network"].get<std::string>(),
                                      q["feature_dim"].get<int64_t>()));
  line("candidates", q["candidates"].get<std::string>());
  line("reference", q["reference"].get<std::string>());
  if (has_floor) line("real floor", floor["candidates"].get<std::string>() + " against the same reference");
  line("FID (classifier features)", number(q, "fid"), number(floor, "fid"));
  line("KID", spread(q, "kid") + fmt::format(" ({} subsets of {})", q["kid_subsets"].get<int64_t>(),
                                               q["kid_subset_size"].get<int64_t>()),
       spread(floor, "kid"));
  line("classifier score", spread(q, "classifier_score"), spread(floor, "classifier_score"));
  line("precision / recall", pr(q) + fmt::format(" (k = {}, {} points each)", q["pr_k"].get<int64_t>(),
                                                  q["pr_points"].get<int64_t>()),
       pr(floor));
  std::string shares;
  for (const auto& v : q["class_shares"]) shares += fmt::format("{}{:.1f}", shares.empty() ? "" : " ", 100 * v.get<double>());
  line("class shares (%)", shares);
  std::string rare;
  for (const auto& v : q["classes_below_1pct"]) rare += (rare.empty() ? "" : ", ") + std::to_string(v.get<int64_t>());
  line("class entropy (bits)", fmt::format("{} of {:.3f}; below 1 %: {}", entropy(q), q["class_entropy_max_bits"].get<double>(),
                                           rare.empty() ? "none" : rare),
       entropy(floor));
  if (q.contains("conditional_accuracy"))
    line("conditional accuracy", fmt::format("{:.1f} % of samples classified as the class asked for",
                                             100 * q["conditional_accuracy"].get<double>()));
  line("detection accuracy", detection(q) + fmt::format("; {} held-out images, 50 % = indistinguishable",
                                                        q["detection_test_images"].get<int64_t>()),
       detection(floor));
  line("time (s)", fmt::format("features {:.2f}, metrics {:.2f}, detection {:.2f}", q["seconds_features"].get<double>(),
                               q["seconds_metrics"].get<double>(), q["seconds_detection"].get<double>()));
  return out;
}

}  // namespace gencli::eval

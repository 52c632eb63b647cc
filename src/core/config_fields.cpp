#include "core/config_fields.h"

#include <cmath>
#include <sstream>

namespace gencli::config {

namespace {
std::string number_text(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}
}  // namespace

Constraint<double> positive() {
  return {"a number > 0", [](const double& x) { return x > 0; }};
}
Constraint<double> non_negative() {
  return {"a number >= 0", [](const double& x) { return x >= 0; }};
}
Constraint<double> in_range(double lo, double hi) {
  return {"a number in [" + number_text(lo) + ", " + number_text(hi) + "]",
          [lo, hi](const double& x) { return x >= lo && x <= hi; }};
}
Constraint<double> open_unit() {
  return {"a number in [0, 1)", [](const double& x) { return x >= 0 && x < 1; }};
}
Constraint<int64_t> at_least(int64_t lo) {
  return {"an integer >= " + std::to_string(lo), [lo](const int64_t& x) { return x >= lo; }};
}
Constraint<std::string> one_of(std::vector<std::string> choices) {
  std::string words;
  for (const auto& c : choices) words += (words.empty() ? "" : ", ") + ("\"" + c + "\"");
  return {"one of " + words, [choices](const std::string& s) {
            for (const auto& c : choices)
              if (c == s) return true;
            return false;
          }};
}
Constraint<std::vector<double>> length(size_t n) {
  return {"a list of " + std::to_string(n) + " numbers",
          [n](const std::vector<double>& v) { return v.size() == n; }};
}

Constraint<std::vector<int64_t>> positive_integers(size_t min_size) {
  return {min_size == 0 ? "a list of integers >= 1" : "a non-empty list of integers >= 1",
          [min_size](const std::vector<int64_t>& list) {
            if (list.size() < min_size) return false;
            for (auto x : list)
              if (x < 1) return false;
            return true;
          }};
}

std::string type_name(const double*) { return "a number"; }
std::string type_name(const int64_t*) { return "an integer"; }
std::string type_name(const bool*) { return "true or false"; }
std::string type_name(const std::string*) { return "a string"; }
std::string type_name(const std::vector<double>*) { return "a list of numbers"; }
std::string type_name(const std::vector<int64_t>*) { return "a list of integers"; }

Reader::Reader(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {}

void Reader::finish() const {
  for (const auto& item : object_.items()) {
    if (seen_.count(item.key())) continue;
    std::string known;
    for (const auto& k : seen_) known += (known.empty() ? "" : ", ") + k;
    throw ConfigError((path_.empty() ? "" : path_ + ".") + item.key() +
                      ": unknown key (known keys here: " + known + ")");
  }
}

bool Reader::convert(const nlohmann::json& j, double& out) {
  if (!j.is_number()) return false;
  out = j.get<double>();
  return std::isfinite(out);
}
bool Reader::convert(const nlohmann::json& j, int64_t& out) {
  if (j.is_number_integer()) {
    out = j.get<int64_t>();
    return true;
  }
  // Accept 1e4 or 2000.0 where an integer is meant, but not 0.5.
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      out = static_cast<int64_t>(d);
      return true;
    }
  }
  return false;
}
bool Reader::convert(const nlohmann::json& j, bool& out) {
  if (!j.is_boolean()) return false;
  out = j.get<bool>();
  return true;
}
bool Reader::convert(const nlohmann::json& j, std::string& out) {
  if (!j.is_string()) return false;
  out = j.get<std::string>();
  return true;
}
bool Reader::convert(const nlohmann::json& j, std::vector<double>& out) {
  if (!j.is_array()) return false;
  out.clear();
  for (const auto& e : j) {
    double d;
    if (!convert(e, d)) return false;
    out.push_back(d);
  }
  return true;
}
bool Reader::convert(const nlohmann::json& j, std::vector<int64_t>& out) {
  if (!j.is_array()) return false;
  out.clear();
  for (const auto& e : j) {
    int64_t i;
    if (!convert(e, i)) return false;
    out.push_back(i);
  }
  return true;
}

void Reader::fail(const char* key, const std::string& expected, const nlohmann::json& got) const {
  std::string where = path_.empty() ? key : path_ + "." + key;
  throw ConfigError(where + ": expected " + expected + ", got " + got.dump());
}

}  // namespace gencli::config

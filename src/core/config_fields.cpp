#include "core/config_fields.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace gencli::config {

namespace {
std::string number_text(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

constexpr size_t kEchoLimit = 80;

// The first `n` bytes of `text`, not ending inside a UTF-8 sequence.
std::string utf8_prefix(const std::string& text, size_t n) {
  if (text.size() <= n) return text;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

std::string dump_string(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Writes `j` as JSON until `out` passes `limit`, so neither a huge nor a deeply nested value
// is walked whole (each level adds a character, so the recursion stops by `limit` levels).
// Returns false when it stopped early.
bool write_bounded(const nlohmann::json& j, std::string& out, size_t limit) {
  if (out.size() > limit) return false;
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    const size_t room = limit - out.size();
    if (s.size() <= room) {
      out += dump_string(s);
      return out.size() <= limit;
    }
    std::string cut = dump_string(utf8_prefix(s, room));
    out += cut.substr(0, cut.size() - 1);  // without the closing quote
    return false;
  }
  if (j.is_array() || j.is_object()) {
    out += j.is_array() ? '[' : '{';
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ',';
      first = false;
      if (j.is_object()) {
        out += dump_string(it.key()) + ':';
        if (out.size() > limit) return false;
      }
      if (!write_bounded(*it, out, limit)) return false;
    }
    out += j.is_array() ? ']' : '}';
    return out.size() <= limit;
  }
  out += j.dump();
  return out.size() <= limit;
}

std::string whole_size(const nlohmann::json& j) {
  if (j.is_string()) return std::to_string(j.get_ref<const std::string&>().size()) + " bytes";
  if (j.is_array()) return std::to_string(j.size()) + " entries";
  return std::to_string(j.size()) + " keys";
}
}  // namespace

std::string echo(const nlohmann::json& value) {
  std::string out;
  if (write_bounded(value, out, kEchoLimit)) return out;
  return utf8_prefix(out, kEchoLimit) + "… (" + whole_size(value) + ")";
}

std::string echo_text(const std::string& text) {
  std::string out;  // control characters escaped, so the message stays one line
  size_t i = 0;
  auto continuation = [&text](size_t at) { return (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; };
  for (; i < text.size() && (out.size() < kEchoLimit || continuation(i)); ++i) {  // whole UTF-8 characters
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += "0123456789abcdef"[c >> 4];
      out += "0123456789abcdef"[c & 15];
    } else {
      out += text[i];
    }
  }
  if (i == text.size()) return out;
  return out + "… (" + std::to_string(text.size()) + " bytes)";
}

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
Constraint<int64_t> int_range(int64_t lo, int64_t hi) {
  return {"an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
          [lo, hi](const int64_t& x) { return x >= lo && x <= hi; }};
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
std::string type_name(const std::vector<std::string>*) { return "a list of strings"; }

Reader::Reader(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {}

void Reader::finish() const {
  for (const auto& item : object_.items()) {
    if (seen_.count(item.key())) continue;
    std::string known;
    for (const auto& k : seen_) known += (known.empty() ? "" : ", ") + k;
    throw ConfigError((path_.empty() ? "" : path_ + ".") + echo_text(item.key()) +
                      ": unknown key (known keys here: " + known + ")");
  }
}

bool Reader::convert(const nlohmann::json& j, double& out) {
  if (!j.is_number()) return false;
  out = j.get<double>();
  return std::isfinite(out);
}
bool Reader::convert(const nlohmann::json& j, int64_t& out) {
  // Above INT64_MAX the parser keeps an unsigned value, which get<int64_t> would wrap.
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return false;
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

bool Reader::convert(const nlohmann::json& j, std::vector<std::string>& out) {
  if (!j.is_array()) return false;
  out.clear();
  for (const auto& e : j) {
    std::string text;
    if (!convert(e, text)) return false;
    out.push_back(std::move(text));
  }
  return true;
}

void Reader::fail(const char* key, const std::string& expected, const nlohmann::json& got) const {
  std::string where = path_.empty() ? key : path_ + "." + key;
  // An integer field given a number beyond 64 bits: say so, or "an integer >= 0, got 2^64" reads as a contradiction.
  const bool integer_field = expected.rfind("an integer", 0) == 0 || expected.rfind("a list of integers", 0) == 0;
  const bool huge = (got.is_number_unsigned() && got.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) ||
                    (got.is_number_float() && std::fabs(got.get<double>()) >= 9.2233720368547758e18 && std::isfinite(got.get<double>()));
  const std::string note = integer_field && huge ? " (out of the range of a 64-bit integer)" : "";
  throw ConfigError(where + ": expected " + expected + ", got " + echo(got) + note);
}

}  // namespace gencli::config

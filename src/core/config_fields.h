#pragma once
// One field list per config section serves reading, writing and validation:
// each section struct has `template <class V> void visit(V& v)` that calls
// v.field("key", member, constraint) for every key, in the order users see them.
#include <nlohmann/json.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"

namespace gencli::config {

// A check on a value plus the words used when it fails ("a number > 0").
template <class T>
struct Constraint {
  std::string expected;                   // e.g. "a number > 0"; empty means "the field's type"
  std::function<bool(const T&)> ok;       // null means any value of the type is fine
};

Constraint<double> positive();
Constraint<double> non_negative();
Constraint<double> in_range(double lo, double hi);      // lo <= x <= hi
Constraint<double> open_unit();                          // 0 <= x < 1
Constraint<int64_t> at_least(int64_t lo);
Constraint<int64_t> int_range(int64_t lo, int64_t hi);  // lo <= x <= hi (fields later narrowed to int)
Constraint<std::string> one_of(std::vector<std::string> choices);
Constraint<std::vector<double>> length(size_t n);
// A list of integers >= 1 with at least `min_size` entries (layer widths, channel multipliers).
Constraint<std::vector<int64_t>> positive_integers(size_t min_size = 1);

// A user's value as error messages show it: JSON, cut to about 80 characters ("…" and the
// whole size after), so a 2 MB string or a long list stays a one-line error.
std::string echo(const nlohmann::json& value);
// The same cut for raw text (a --set assignment).
std::string echo_text(const std::string& text);

std::string type_name(const double*);
std::string type_name(const int64_t*);
std::string type_name(const bool*);
std::string type_name(const std::string*);
std::string type_name(const std::vector<double>*);
std::string type_name(const std::vector<int64_t>*);
std::string type_name(const std::vector<std::string>*);

// Fills a section from JSON, checking types and constraints, and rejects unknown keys.
class Reader {
 public:
  Reader(const nlohmann::json& object, std::string path);

  template <class T>
  void field(const char* key, T& value, const Constraint<T>& check = {}) {
    seen_.insert(key);
    if (!object_.contains(key)) {
      validate(key, value, check);  // defaults must satisfy the constraints too
      return;
    }
    const nlohmann::json& j = object_.at(key);
    T parsed{};
    if (!convert(j, parsed)) fail(key, describe(check, &value), j);
    value = parsed;
    validate(key, value, check);
  }

  // Rejects keys that no field claimed. Call after the section's visit().
  void finish() const;

 private:
  template <class T>
  void validate(const char* key, const T& value, const Constraint<T>& check) const {
    if (check.ok && !check.ok(value)) fail(key, describe(check, &value), nlohmann::json(value));
  }
  template <class T>
  static std::string describe(const Constraint<T>& check, const T* tag) {
    return check.expected.empty() ? type_name(tag) : check.expected;
  }
  static bool convert(const nlohmann::json& j, double& out);
  static bool convert(const nlohmann::json& j, int64_t& out);
  static bool convert(const nlohmann::json& j, bool& out);
  static bool convert(const nlohmann::json& j, std::string& out);
  static bool convert(const nlohmann::json& j, std::vector<double>& out);
  static bool convert(const nlohmann::json& j, std::vector<int64_t>& out);
  static bool convert(const nlohmann::json& j, std::vector<std::string>& out);
  [[noreturn]] void fail(const char* key, const std::string& expected, const nlohmann::json& got) const;

  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> seen_;
};

// Turns a section back into JSON (every key, defaults included).
class Writer {
 public:
  template <class T>
  void field(const char* key, const T& value, const Constraint<T>& = {}) {
    out[key] = value;
  }
  nlohmann::json out = nlohmann::json::object();
};

// Reads section S from `j` (which may be null: all defaults) at JSON path `path`.
template <class S>
S read_section(const nlohmann::json& j, const std::string& path) {
  if (!j.is_null() && !j.is_object())
    throw ConfigError(path + ": expected an object, got " + echo(j));
  static const nlohmann::json empty = nlohmann::json::object();
  S section;
  Reader reader(j.is_null() ? empty : j, path);
  section.visit(reader);
  reader.finish();
  return section;
}

template <class S>
nlohmann::json write_section(S section) {
  Writer writer;
  section.visit(writer);
  return writer.out;
}

}  // namespace gencli::config

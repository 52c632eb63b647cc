#pragma once
// For tests of error paths: the message of the E that `action` throws, or "(no error)"
// when it throws none (another exception type propagates and fails the test).
#include <string>

template <class E, class Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const E& e) {
    return e.what();
  }
  return "(no error)";
}

// Shared libraries opened with dlopen on first use and their functions looked up by name: the common part of
// the libraries creditbot does not link (common/lazy_libcurl.h, common/lazy_openssl.h).
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "absl/status/status.h"

namespace creditbot {

// One library, opened now.
class DynamicLibrary {
 public:
  // Opens `soname` (RTLD_NOW | RTLD_LOCAL; never closed). On failure status() names the library, the Debian
  // package that provides it (`package`) and dlerror's reason. `needed` (e.g. "OpenSSL 3.0") is the version a
  // missing function asks for.
  DynamicLibrary(const char* soname, const char* package, const char* needed);

  // Looks `name` up and stores it in `function`, whose type must be the function's. The first failure,
  // naming the function and the version needed, becomes status(); after a failure nothing more is looked up
  // and `function` stays nullptr.
  template <typename Function>
  void Resolve(const char* name, Function*& function) {
    function = reinterpret_cast<Function*>(Lookup(name));
  }

  // OK while the library is open and every function asked for so far was found.
  const absl::Status& status() const { return status_; }

 private:
  void* Lookup(const char* name);

  std::string soname_;
  std::string needed_;
  void* handle_ = nullptr;
  absl::Status status_;
};

// Logs why a library could not be loaded (error level); LazyLibrary calls it once per library.
void LogLoadFailure(const absl::Status& status);

// A library opened on the first call of any of its functions. `Functions` is a struct of function pointers;
// `resolve` fills it from the opened library. Meant as a `constinit` global: it is usable before static
// initialisation runs (another library's constructor may call a forwarded function). Thread-safe; the
// library is never closed.
template <typename Functions>
class LazyLibrary {
 public:
  using Resolver = void (*)(DynamicLibrary& library, Functions& functions);

  constexpr LazyLibrary(const char* soname, const char* package, const char* needed, Resolver resolve)
      : soname_(soname), package_(package), needed_(needed), resolve_(resolve) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // Opens the library and looks every function up on the first call (logging a failure once); the same
  // answer every time after.
  const absl::Status& status() { return Load().status; }
  // The functions; every pointer is null unless status() is OK.
  const Functions& functions() { return Load().functions; }
  // status()'s message as a C string that lives as long as the process, for functions that answer with text.
  const char* error_text() { return Load().error_text.c_str(); }
  // Whether the library is open with every function found, without opening it.
  bool loaded() const { return loaded_.load(); }

 private:
  struct Loaded {
    Functions functions{};
    absl::Status status;
    std::string error_text;
  };

  const Loaded& Load() {
    std::call_once(once_, [this] {
      auto* state = new Loaded;  // never freed: forwarded calls may come until the process ends
      DynamicLibrary library(soname_, package_, needed_);
      resolve_(library, state->functions);
      state->status = library.status();
      state->error_text = std::string(state->status.message());
      if (state->status.ok()) {
        loaded_.store(true);
      } else {
        LogLoadFailure(state->status);
      }
      state_ = state;
    });
    return *state_;
  }

  const char* soname_;
  const char* package_;
  const char* needed_;
  Resolver resolve_;
  std::once_flag once_;
  std::atomic<bool> loaded_{false};
  const Loaded* state_ = nullptr;
};

}  // namespace creditbot

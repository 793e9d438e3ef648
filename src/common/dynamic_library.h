// A shared library opened with dlopen and its functions looked up by name: the common part of the libraries
// creditbot loads on first use (common/lazy_libcurl.h, common/lazy_openssl.h).
#pragma once

#include <string>

#include "absl/status/status.h"

namespace creditbot {

class DynamicLibrary {
 public:
  // Opens `soname` (RTLD_NOW | RTLD_LOCAL; never closed). On failure status() names the library, the Debian
  // package that provides it (`package`) and dlerror's reason.
  DynamicLibrary(const char* soname, const char* package);

  // Looks `name` up and stores it in `function`, whose type must be the function's. The first failure,
  // naming the function and the version the library must have (`needed`, e.g. "OpenSSL 3.0"), becomes
  // status(); after a failure nothing more is looked up and `function` stays nullptr.
  template <typename Function>
  void Resolve(const char* name, Function*& function, const char* needed) {
    function = reinterpret_cast<Function*>(Lookup(name, needed));
  }

  // OK while the library is open and every function asked for so far was found.
  const absl::Status& status() const { return status_; }

 private:
  void* Lookup(const char* name, const char* needed);

  std::string soname_;
  void* handle_ = nullptr;
  absl::Status status_;
};

}  // namespace creditbot

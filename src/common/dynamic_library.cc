// dlopen and dlsym with errors that say what to install (see the header).
#include "common/dynamic_library.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace creditbot {

DynamicLibrary::DynamicLibrary(const char* soname, const char* package, const char* needed)
    : soname_(soname), needed_(needed) {
  handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* reason = dlerror();
    status_ = absl::FailedPreconditionError(
        absl::StrCat("cannot load ", soname_, " (install ", package, "): ", reason ? reason : "unknown"));
  }
}

void* DynamicLibrary::Lookup(const char* name) {
  if (!status_.ok()) return nullptr;
  void* symbol = dlsym(handle_, name);
  if (symbol == nullptr) {
    status_ = absl::FailedPreconditionError(
        absl::StrCat(soname_, " has no ", name, " (", needed_, " or newer is needed)"));
  }
  return symbol;
}

void LogLoadFailure(const absl::Status& status) { LogError(std::string(status.message())); }

}  // namespace creditbot

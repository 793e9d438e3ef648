# Warnings are errors on every target of ours; third-party headers are included as SYSTEM.
# GCC 12 at -O2/-O3 reports -Wmaybe-uninitialized false positives inside std::string moved out of
# absl::StatusOr (GCC bugs 105562, 107138); it is off for GCC only — clang and the sanitizer build still
# cover real uninitialized reads.
function(creditbot_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Woverloaded-virtual -Wimplicit-fallthrough -Werror
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endfunction()

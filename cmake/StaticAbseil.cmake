# Link abseil statically (option CREDITBOT_STATIC_ABSL, on by default): issue 7, start-up time.
#
# Debian's libabsl-dev imports ~40 shared libraries (absl::* targets), and at every start the dynamic
# loader spends most of `creditbot`'s start-up resolving symbols across them: with them `run --once` with
# nothing to do executes 47 M instructions, 34 M of them in ld.so; with the static archives Debian ships
# beside them (the same build, libabsl_*.a, position-independent), 30 M and 17 M (docs/BENCHMARKS.md,
# "Cold start"). The imported targets keep their usage requirements (include dirs, the dependencies between
# absl targets, so the archives come in the right order); only the file they point to changes, and only
# where the archive exists.
function(creditbot_use_static_abseil)
  get_directory_property(imported IMPORTED_TARGETS)
  set(switched 0)
  foreach(target IN LISTS imported)
    if(NOT target MATCHES "^absl::")
      continue()
    endif()
    foreach(property IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION)
      get_target_property(location ${target} ${property})
      if(location AND location MATCHES "^(.*/libabsl_[A-Za-z0-9_]+)\\.so[.0-9]*$")
        set(archive "${CMAKE_MATCH_1}.a")
        if(EXISTS "${archive}")
          set_target_properties(${target} PROPERTIES ${property} "${archive}")
          math(EXPR switched "${switched} + 1")
        endif()
      endif()
    endforeach()
  endforeach()
  message(STATUS "abseil: ${switched} imported libraries linked statically (CREDITBOT_STATIC_ABSL)")
endfunction()

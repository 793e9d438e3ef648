# creditbot_embed_files(OUTPUT out.cc BASE dir FILES f...): writes a C++ file that defines the table
# declared in src/common/embedded_files.h, one entry per file, keyed by its path relative to BASE.
function(creditbot_embed_files)
  cmake_parse_arguments(ARG "" "OUTPUT;BASE" "FILES" ${ARGN})
  set(script "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake")
  add_custom_command(
    OUTPUT "${ARG_OUTPUT}"
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} -DBASE=${ARG_BASE} "-DFILES=${ARG_FILES}" -P "${script}"
    DEPENDS ${ARG_FILES} "${script}"
    COMMENT "Embedding SQL, policy and dashboard files"
    VERBATIM)
endfunction()

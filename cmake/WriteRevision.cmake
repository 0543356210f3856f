# Writes revision.cpp with the current git revision; leaves it untouched when unchanged (no relink).
execute_process(COMMAND git describe --always --dirty --abbrev=12 WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE REV OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT REV)
  set(REV unknown)
endif()
set(TEXT "namespace chorus { const char* gitRevision() { return \"${REV}\"; } const char* chorusVersion() { return \"${VERSION}\"; } }\n")
if(EXISTS ${OUT})
  file(READ ${OUT} OLD)
endif()
if(NOT "${OLD}" STREQUAL "${TEXT}")
  file(WRITE ${OUT} "${TEXT}")
endif()

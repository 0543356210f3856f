# ccache with paths made relative to the checkout, so that a fresh clone in another folder
# (as CI makes) hits the cache the last build filled.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}
      CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=pch_defines,time_macros
      ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_C_COMPILER_LAUNCHER})
  message(STATUS "ccache: ${CCACHE_PROGRAM} (base dir ${CMAKE_SOURCE_DIR})")
endif()

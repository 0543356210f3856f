// Where the tests find the source tree, the fixtures, the real audio and the chorus binary.
// Force-included into every test file. The absolute paths live in one generated file
// (build/tests/test_paths.cpp), not in compile definitions: a definition holding the checkout's path
// would make every test file, and the precompiled headers of the torch tests, miss ccache in a
// fresh clone (CI's case).
#pragma once

namespace chorus::testing {
extern const char* const kSourceDir;
extern const char* const kFixturesDir;
extern const char* const kRealAudioDir;
extern const char* const kChorusBinary;
}  // namespace chorus::testing

#define CHORUS_SOURCE_DIR (::chorus::testing::kSourceDir)
#define CHORUS_FIXTURES (::chorus::testing::kFixturesDir)
#define CHORUS_REAL_AUDIO (::chorus::testing::kRealAudioDir)
#define CHORUS_BINARY (::chorus::testing::kChorusBinary)

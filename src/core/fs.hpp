// Small filesystem helpers; atomic writes live in atomic_file.hpp.
#pragma once
#include <filesystem>
#include <string>

namespace chorus {
namespace fs = std::filesystem;

std::string readTextFile(const fs::path& path);  // throws InputError naming the file
void ensureDir(const fs::path& dir);             // mkdir -p; throws Error naming the folder

}  // namespace chorus

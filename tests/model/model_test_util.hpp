// Helpers for the model tests: reference files from tools/ scripts, tensor comparison.
#pragma once
#include "model/checkpoint.hpp"
#include "test_util.hpp"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

namespace chorus::testing {

// The Python that runs the reference scripts: $CHORUS_PYTHON, else python3 on PATH.
inline std::string python() {
  const char* p = std::getenv("CHORUS_PYTHON");
  return p && *p ? p : "python3";
}

// Whether the module is installed, found without importing it (importing timm takes seconds);
// asked once per module and process.
inline bool pythonHas(const std::string& module) {
  static std::map<std::string, bool> known;
  auto it = known.find(module);
  if (it == known.end()) {
    const std::string cmd = python() + " -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(\"" + module +
                            "\") is None)' >/dev/null 2>&1";
    it = known.emplace(module, std::system(cmd.c_str()) == 0).first;
  }
  return it->second;
}

// Runs tools/<script> with arguments; true when it exited 0.
inline bool runTool(const std::string& scriptAndArgs) {
  const std::string cmd = python() + " " + std::string(CHORUS_SOURCE_DIR) + "/tools/" + scriptAndArgs;
  return std::system(cmd.c_str()) == 0;
}

// Large generated references live in the build folder (next to the chorus binary), not in git;
// they are made again when the script that writes them is newer.
inline std::filesystem::path generatedDir(const std::string& name) {
  auto dir = std::filesystem::path(CHORUS_BINARY).parent_path() / "tests" / "generated" / name;
  std::filesystem::create_directories(dir);
  return dir;
}

inline bool isFresh(const std::filesystem::path& output, const std::string& script) {
  const auto source = std::filesystem::path(CHORUS_SOURCE_DIR) / "tools" / script;
  return std::filesystem::exists(output) && std::filesystem::last_write_time(output) >= std::filesystem::last_write_time(source);
}

inline torch::Tensor entry(const model::NamedTensors& tensors, const std::string& name) {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error("reference file lacks " + name);
  return it->second;
}

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace chorus::testing

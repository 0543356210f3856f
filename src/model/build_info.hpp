// What this build of chorus can use: the torch it links, CUDA and NCCL (compiled in, and usable now).
// A plain header (no torch includes) so that cli can print it.
#pragma once
#include <string>

namespace chorus::model {

struct BuildInfo {
  std::string torchVersion;
  bool cudaCompiled = false, cudaAvailable = false;
  int cudaDevices = 0;
  bool ncclCompiled = false, ncclAvailable = false;
  std::string ncclVersion;  // "2.27.3" where NCCL is loadable, else empty
};

BuildInfo buildInfo();

// What --device means in every subcommand (train, infer, pseudo): "cuda", "cpu", or "auto" (the
// default everywhere): CUDA when a device is usable now.
bool usesCuda(const std::string& device);

}  // namespace chorus::model

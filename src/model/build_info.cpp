#include "model/build_info.hpp"

#include <torch/torch.h>
#include <torch/version.h>
#if defined(CHORUS_WITH_NCCL)
#include <nccl.h>
#endif

namespace chorus::model {

BuildInfo buildInfo() {
  BuildInfo info;
  info.torchVersion = TORCH_VERSION;
#if defined(CHORUS_WITH_CUDA)
  info.cudaCompiled = true;
#endif
  info.cudaAvailable = torch::cuda::is_available();
  info.cudaDevices = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
#if defined(CHORUS_WITH_NCCL)
  info.ncclCompiled = true;
  int v = 0;
  // ncclGetVersion needs no GPU; it answers once the library is loaded.
  if (ncclGetVersion(&v) == ncclSuccess) {
    info.ncclAvailable = info.cudaAvailable;
    info.ncclVersion = std::to_string(v / 10000) + "." + std::to_string((v / 100) % 100) + "." + std::to_string(v % 100);
  }
#endif
  return info;
}

bool usesCuda(const std::string& device) {
  return device == "cuda" || (device == "auto" && torch::cuda::is_available());
}

}  // namespace chorus::model

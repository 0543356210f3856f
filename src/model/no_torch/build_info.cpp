// BuildInfo in a build without torch (CHORUS_WITH_TORCH=OFF, the Kaggle bundle): no torch, no CUDA,
// no NCCL. --device auto is the CPU; --device cuda is refused where an engine is chosen
// (infer/engine.hpp), naming the torch build it needs.
#include "model/build_info.hpp"

namespace chorus::model {

BuildInfo buildInfo() {
  BuildInfo info;
  info.torchVersion = "none (built without torch: CHORUS_WITH_TORCH=OFF)";
  return info;
}

bool usesCuda(const std::string& device) { return device == "cuda"; }

}  // namespace chorus::model

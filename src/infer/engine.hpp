// An inference engine runs one model of an ensemble: a batch of normalised log-mel windows
// [N, C, mels, frames] in, its clip logits [N, K] out. Two implementations: libtorch (the
// Classifier itself, CPU or CUDA) and OpenVINO (the model as an OpenVINO graph built from our own
// architecture tables and the checkpoint's weights, saved as IR beside the checkpoint; CPU only).
// No torch in this header.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::infer {

class Engine {
 public:
  virtual ~Engine() = default;
  // windows: n x channels x mels x frames float32, contiguous. Returns n x K, row-major.
  virtual std::vector<float> logits(const float* windows, int64_t n, int64_t channels, int64_t mels, int64_t frames) = 0;
  virtual std::string name() const = 0;  // "torch" | "openvino"
};

// Engine and precision as asked for (EnsembleOptions): engine "auto" | "torch" | "openvino",
// precision "f32" | "bf16". UsageError naming the value otherwise.
void validateEngineChoice(const std::string& engine, const std::string& precision);

// "auto" resolved: openvino on the CPU when this build has it, torch on CUDA. UsageError for
// openvino in a build without it, or with CUDA; for bf16 with torch; for torch (or CUDA) in a build
// without torch.
std::string resolveEngine(const std::string& engine, const std::string& precision, bool cuda);

bool openVinoBuilt();
bool torchBuilt();              // false in the torch-free build (CHORUS_WITH_TORCH=OFF, the Kaggle bundle)
std::string openVinoVersion();  // the runtime's build number; "" when not built with OpenVINO
bool cpuSupportsBf16();         // OpenVINO's CPU plugin reports BF16 (false when not built with OpenVINO)

}  // namespace chorus::infer

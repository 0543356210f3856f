// The OpenVINO side of inference, with no OpenVINO (and no torch) in this header: saving a model's
// graph as IR beside its checkpoint, compiling IR for the CPU, and running a batch of windows.
//
//   openvino::exportIr({"efficientnet_b0", "sed", 234}, dir / "model.safetensors", dir / "model.xml");
//   auto net = openvino::CompiledNet::load(dir / "model.xml", {.threads = 1});
//   std::vector<float> logits = net->run(windows, n, mels, frames);   // n x K
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ovengine/graph_spec.hpp"

namespace chorus::openvino {

bool available();        // this build has OpenVINO (false: the stub, every other call a UsageError)
std::string version();   // the runtime's build number, e.g. "2026.4.1-22982-e213a147257-releases/2026/4"
bool cpuSupportsBf16();  // the CPU plugin reports BF16 among its capabilities (AVX512-BF16 or AMX)

// buildGraph (graph.hpp) from the weights file, written as IR: `xml` and the .bin beside it (same
// stem), f32 weights (no compression), each file atomically, the .bin first.
void exportIr(const GraphSpec& spec, const std::filesystem::path& safetensors, const std::filesystem::path& xml);

// The IR at `xml` again at `out` (and its .bin) with its f32 weights stored as f16: half the size
// (the Kaggle bundle's models), computed in f32 all the same (the CPU plugin widens them when it
// compiles), so the logits move by the weights' rounding only (2^-11 relative). Atomic, .bin first.
void compressIrWeights(const std::filesystem::path& xml, const std::filesystem::path& out);

struct CompileOptions {
  int threads = 1;        // inference threads (one stream, no CPU pinning: MPI ranks share the node)
  bool bf16 = false;      // bf16 inference precision hint; UsageError where the CPU lacks BF16
  int64_t mels = 0, frames = 0;  // > 0: the window's shape fixed at compile time (N stays dynamic)
};

class CompiledNet {
 public:
  // InputError naming the file when the IR cannot be read or compiled.
  static std::unique_ptr<CompiledNet> load(const std::filesystem::path& xml, const CompileOptions& options);
  virtual ~CompiledNet() = default;
  // windows: n x channels x mels x frames float32, contiguous; returns n x K clip logits.
  virtual std::vector<float> run(const float* windows, int64_t n, int64_t channels, int64_t mels, int64_t frames) = 0;
  virtual int64_t classes() const = 0;
};

}  // namespace chorus::openvino

#include "infer/engine.hpp"

#include "core/error.hpp"
#include "ovengine/runtime.hpp"

namespace chorus::infer {

void validateEngineChoice(const std::string& engine, const std::string& precision) {
  if (engine != "auto" && engine != "torch" && engine != "openvino")
    throw UsageError("--engine must be auto, torch or openvino, not \"" + engine + "\"");
  if (precision != "f32" && precision != "bf16")
    throw UsageError("--precision must be f32 or bf16, not \"" + precision + "\"");
  if (engine == "torch" && !torchBuilt())
    throw UsageError("--engine torch: this chorus was built without torch (CHORUS_WITH_TORCH=OFF): use --engine openvino");
}

std::string resolveEngine(const std::string& engine, const std::string& precision, bool cuda) {
  validateEngineChoice(engine, precision);
  std::string chosen = engine;
  if (chosen == "auto") chosen = (!cuda && openVinoBuilt()) ? "openvino" : "torch";
  if (chosen == "openvino" && !openVinoBuilt())
    throw UsageError("--engine openvino: this chorus was built without OpenVINO (tools/setup.sh installs it)");
  if (chosen == "torch" && !torchBuilt())
    throw UsageError(std::string(cuda ? "--device cuda" : "--engine torch") +
                     ": this chorus was built without torch (CHORUS_WITH_TORCH=OFF): it runs --engine openvino on the CPU");
  if (chosen == "openvino" && cuda) throw UsageError("--engine openvino runs on the CPU only: use --device cpu");
  if (chosen == "torch" && precision == "bf16")
    throw UsageError("--precision bf16 needs --engine openvino (the torch engine runs f32)");
  return chosen;
}

bool openVinoBuilt() { return openvino::available(); }
std::string openVinoVersion() { return openvino::version(); }
bool cpuSupportsBf16() { return openvino::cpuSupportsBf16(); }

}  // namespace chorus::infer

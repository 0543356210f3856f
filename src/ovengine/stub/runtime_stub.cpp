// runtime.hpp in a build without OpenVINO: nothing available, every use a clear UsageError.
#include "core/error.hpp"
#include "ovengine/runtime.hpp"

namespace chorus::openvino {
namespace {
[[noreturn]] void unavailable() {
  throw UsageError("OpenVINO: this chorus was built without it (tools/setup.sh installs the openvino wheel)");
}
}  // namespace

bool available() { return false; }
std::string version() { return ""; }
bool cpuSupportsBf16() { return false; }
bool supportsGraph(const std::string&, const std::string&) { return false; }
void exportIr(const GraphSpec&, const std::filesystem::path&, const std::filesystem::path&) { unavailable(); }
void compressIrWeights(const std::filesystem::path&, const std::filesystem::path&) { unavailable(); }
std::unique_ptr<CompiledNet> CompiledNet::load(const std::filesystem::path&, const CompileOptions&) { unavailable(); }

}  // namespace chorus::openvino

// The inference engine options shared by infer and pseudo.
#include "cli/commands.hpp"

namespace chorus::cli {

void addEngineOptions(CLI::App& app, std::string& engine, std::string& precision) {
  app.add_option("--engine", engine,
                 "What runs the models: openvino (OpenVINO on the CPU: each model's IR, model.xml/.bin, is written "
                 "beside its checkpoint on first use or by `chorus export`), torch (libtorch, CPU or CUDA), or auto "
                 "(openvino on the CPU when this chorus was built with it, torch on CUDA)")
      ->check(CLI::IsMember({"auto", "torch", "openvino"}))
      ->capture_default_str();
  app.add_option("--precision", precision,
                 "f32, or bf16 (openvino only, on a CPU that reports bf16: AVX512-BF16 or AMX; an error elsewhere)")
      ->check(CLI::IsMember({"f32", "bf16"}))
      ->capture_default_str();
}

}  // namespace chorus::cli

#include "ovengine/runtime.hpp"

#include <openvino/openvino.hpp>
#include <openvino/pass/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "ovengine/graph.hpp"

namespace chorus::openvino {
namespace fs = std::filesystem;

namespace {

// One Core per process: it owns the plugins (loading the CPU plugin takes ~0.1 s).
ov::Core& core() {
  static ov::Core c;
  return c;
}

class CompiledNetImpl : public CompiledNet {
 public:
  CompiledNetImpl(ov::CompiledModel compiled, int64_t classes)
      : compiled_(std::move(compiled)), request_(compiled_.create_infer_request()), classes_(classes) {}

  std::vector<float> run(const float* windows, int64_t n, int64_t channels, int64_t mels, int64_t frames) override {
    // The caller's memory as the input, no copy (OpenVINO only reads it).
    ov::Tensor input(ov::element::f32, ov::Shape{size_t(n), size_t(channels), size_t(mels), size_t(frames)},
                     const_cast<float*>(windows));
    request_.set_input_tensor(input);
    request_.infer();
    const ov::Tensor out = request_.get_output_tensor();
    if (out.get_shape() != ov::Shape{size_t(n), size_t(classes_)})
      throw Error("openvino: the model gave logits of shape " + out.get_shape().to_string());
    const float* p = out.data<const float>();
    return std::vector<float>(p, p + out.get_size());
  }
  int64_t classes() const override { return classes_; }

 private:
  ov::CompiledModel compiled_;
  ov::InferRequest request_;
  int64_t classes_;
};

}  // namespace

bool available() { return true; }
std::string version() { return ov::get_openvino_version().buildNumber; }

bool cpuSupportsBf16() {
  const auto caps = core().get_property("CPU", ov::device::capabilities);
  return std::find(caps.begin(), caps.end(), ov::device::capability::BF16) != caps.end();
}

void exportIr(const GraphSpec& spec, const fs::path& safetensors, const fs::path& xml) {
  const auto weights = weights::SafeTensorsFile::read(safetensors);
  const auto model = buildGraph(spec, weights);
  model->set_rt_info(spec.backbone, "chorus", "backbone");
  model->set_rt_info(spec.head, "chorus", "head");
  fs::path bin = xml;
  bin.replace_extension(".bin");
  AtomicFile xmlFile(xml), binFile(bin);
  ov::pass::Serialize(xmlFile.stream(), binFile.stream()).run_on_model(std::const_pointer_cast<ov::Model>(model));
  binFile.commit();  // a reader opens the .xml, so it comes last
  xmlFile.commit();
}

void compressIrWeights(const fs::path& xml, const fs::path& out) {
  const auto model = core().read_model(xml.string());
  // save_model writes to paths, not streams: into a temporary folder named by the project's rule
  // (core/temporaries.hpp: "model.f16.tmp.<pid>", found and cleared with infer's other IR
  // leftovers, prefix "model."), then each file moved out, the .bin first.
  const fs::path tmp = out.parent_path() / ("model.f16.tmp." + std::to_string(::getpid()));
  fs::path bin = out;
  bin.replace_extension(".bin");
  fs::create_directories(tmp);
  try {
    ov::save_model(model, tmp / "model.xml", /*compress_to_fp16=*/true);
  } catch (const std::exception& e) {
    fs::remove_all(tmp);
    throw Error(out.string() + ": could not write the f16 IR: " + e.what());
  }
  fs::rename(tmp / "model.bin", bin);  // a reader opens the .xml, so it comes last
  fs::rename(tmp / "model.xml", out);
  fs::remove_all(tmp);
}

std::unique_ptr<CompiledNet> CompiledNet::load(const fs::path& xml, const CompileOptions& o) {
  if (o.bf16 && !cpuSupportsBf16())
    throw UsageError("--precision bf16: this CPU does not support bf16 (no AVX512-BF16 or AMX); use --precision f32");
  std::shared_ptr<ov::Model> model;
  try {
    model = core().read_model(xml.string());
    if (o.mels > 0 && o.frames > 0) {
      const auto channels = model->input().get_partial_shape()[1];
      model->reshape(ov::PartialShape{ov::Dimension::dynamic(), channels, o.mels, o.frames});
    }
  } catch (const ov::Exception& e) {
    throw InputError(xml.string(), 0, std::string("cannot read the OpenVINO IR: ") + e.what());
  }
  const auto logits = model->output().get_partial_shape();
  if (logits.rank().get_length() != 2 || logits[1].is_dynamic())
    throw InputError(xml.string(), 0, "the OpenVINO IR does not give N x K logits");
  ov::AnyMap props{ov::inference_num_threads(std::max(1, o.threads)), ov::num_streams(1),
                   ov::hint::performance_mode(ov::hint::PerformanceMode::LATENCY), ov::hint::enable_cpu_pinning(false),
                   // Explicitly f32: on CPUs with AMX the plugin would otherwise pick bf16 by itself.
                   ov::hint::inference_precision(o.bf16 ? ov::element::bf16 : ov::element::f32)};
  try {
    return std::make_unique<CompiledNetImpl>(core().compile_model(model, "CPU", props), logits[1].get_length());
  } catch (const ov::Exception& e) {
    throw InputError(xml.string(), 0, std::string("cannot compile the OpenVINO IR for the CPU: ") + e.what());
  }
}

}  // namespace chorus::openvino

// The OpenVINO engine and the IR beside a checkpoint: model.safetensors (the contract's names: the
// backbone under timm's, the head under `chorus_head.`) exported from weights.pt when the checkpoint
// lacks it, the graph built from it (ovengine/graph.hpp) and saved as model.xml/.bin.
#include <unistd.h>

#include <cmath>

#include "audio/logmel.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/sha256.hpp"
#include "core/temporaries.hpp"
#include "dataset/options.hpp"
#include "infer/ensemble_impl.hpp"
#include "meta/soundscape_window.hpp"
#include "ovengine/runtime.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {

bool newerOrEqual(const fs::path& a, const fs::path& b) {
  return fs::exists(a) && (!fs::exists(b) || fs::last_write_time(a) >= fs::last_write_time(b));
}

// The checkpoint's own folder when writable, else a cache folder named after its path.
fs::path irFolder(const fs::path& dir) {
  if (::access(dir.c_str(), W_OK) == 0) return dir;
  const std::string key = sha256Hex(fs::absolute(dir).string().data(), fs::absolute(dir).string().size()).substr(0, 16);
  fs::path cache = fs::temp_directory_path() / "chorus-openvino" / (dir.parent_path().filename().string() + "-" + key);
  fs::create_directories(cache);
  return cache;
}

// folder/model.xml and .bin, no older than the weights they were made from.
bool irUpToDate(const fs::path& folder, const fs::path& safetensors, const fs::path& weightsPt) {
  const fs::path xml = folder / "model.xml";
  return newerOrEqual(xml, weightsPt) && fs::exists(folder / "model.bin") &&
         (!fs::exists(safetensors) || newerOrEqual(xml, safetensors));
}

}  // namespace

fs::path openVinoIr(const fs::path& dir, const model::ModelOptions& mo) {
  if (!openvino::available()) throw UsageError("OpenVINO: this chorus was built without it (tools/setup.sh installs it)");
  fs::path safetensors = dir / "model.safetensors";
  const fs::path weightsPt = dir / "weights.pt";
  const fs::path folder = irFolder(dir), xml = folder / "model.xml";
  // A killed export's leftovers (model.xml is published last: without it the IR is redone).
  if (const size_t stale = removeStaleTemporaries(folder, "model.") + (folder == dir ? 0 : removeStaleTemporaries(dir, "model.")))
    CHORUS_LOG(Info) << dir.string() << ": " << stale << " stale temporaries of a killed export removed";
  // The checkpoint's own IR when up to date, even in a read-only folder (a Kaggle dataset that
  // carries it, tools/kaggle_bundle.sh); else the one written where it can be.
  if (irUpToDate(dir, safetensors, weightsPt)) return dir / "model.xml";
  if (irUpToDate(folder, safetensors, weightsPt)) return xml;
  if (!fs::exists(safetensors) || !newerOrEqual(safetensors, weightsPt)) {
    safetensors = folder / "model.safetensors";
    writeSafetensorsFromWeightsPt(mo, weightsPt, safetensors);  // needs torch
  }
  openvino::exportIr({mo.backbone, mo.head, mo.numClasses, mo.inChannels}, safetensors, xml);
  CHORUS_LOG(Info) << dir.string() << ": OpenVINO IR written to " << xml.string();
  return xml;
}

namespace {

class OpenVinoEngine : public Engine {
 public:
  explicit OpenVinoEngine(std::unique_ptr<openvino::CompiledNet> net) : net_(std::move(net)) {}
  std::vector<float> logits(const float* windows, int64_t n, int64_t channels, int64_t mels, int64_t frames) override {
    return net_->run(windows, n, channels, mels, frames);
  }
  std::string name() const override { return "openvino"; }

 private:
  std::unique_ptr<openvino::CompiledNet> net_;
};

}  // namespace

std::unique_ptr<Engine> makeOpenVinoEngine(const fs::path& xml, int threads, bool bf16, const audio::MelOptions& mel,
                                           int64_t classes) {
  openvino::CompileOptions o;
  o.threads = threads, o.bf16 = bf16;
  o.mels = mel.nMels;
  o.frames = audio::LogMel(mel).frames(int64_t(std::llround(meta::kWindowSeconds * mel.sampleRate)));
  auto net = openvino::CompiledNet::load(xml, o);
  if (net->classes() != classes)
    throw InputError(xml.string(), 0, "the OpenVINO IR gives " + std::to_string(net->classes()) + " classes, the species list has " +
                                          std::to_string(classes) + " (remove the IR to export it again)");
  return std::make_unique<OpenVinoEngine>(std::move(net));
}

}  // namespace chorus::infer

#include "model/backbone_weights.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "core/log.hpp"
#include "model/safetensors_io.hpp"

namespace chorus::model {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The dict of tensors inside a torch.save'd object: itself, or under "state_dict" / "model"
// (training scripts save {"state_dict": ..., "optimizer": ..., "epoch": ...}).
c10::impl::GenericDict tensorDict(const torch::IValue& value, const std::string& origin) {
  if (!value.isGenericDict()) throw InputError(origin, 0, "a torch.save file that is not a dict of tensors");
  auto dict = value.toGenericDict();
  for (const char* key : {"state_dict", "model"}) {
    auto it = dict.find(torch::IValue(std::string(key)));
    if (it != dict.end() && it->value().isGenericDict()) return tensorDict(it->value(), origin);
  }
  return dict;
}

NamedTensors readTorchSave(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file.string(), 0, "cannot open weights file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  torch::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    throw InputError(file.string(), 0,
                     std::string("cannot read this torch.save file (only tensors and dicts of them can be read "
                                 "without Python; save the state dict alone): ") + e.what_without_backtrace());
  }
  NamedTensors out;
  for (const auto& entry : tensorDict(value, file.string())) {
    if (!entry.key().isString()) throw InputError(file.string(), 0, "a state dict key that is not a string");
    if (!entry.value().isTensor()) continue;  // e.g. an "epoch" number next to the tensors
    out.emplace(entry.key().toStringRef(), entry.value().toTensor());
  }
  if (out.empty()) throw InputError(file.string(), 0, "no tensors in this torch.save file");
  return out;
}

// A name of the file as the backbone names it, or "" for a head tensor that is skipped.
std::string backboneName(std::string name, bool hasNormPre) {
  if (startsWith(name, "head.norm.") && hasNormPre) return "norm_pre." + name.substr(10);
  for (const char* head : {"classifier.", "fc.", "head.", "chorus_head."})
    if (startsWith(name, head)) return "";
  return name;
}

// timm's adapt_input_conv for in_chans 1: the sum over the input channels (over each group of
// three when there are 3k), computed in float32 and returned in the file's dtype.
torch::Tensor adaptStem(const torch::Tensor& w) {
  const auto type = w.scalar_type();
  torch::Tensor f = w.to(torch::kFloat);
  if (f.size(1) > 3) f = f.reshape({f.size(0), f.size(1) / 3, 3, f.size(2), f.size(3)}).sum(2);
  else f = f.sum(1, /*keepdim=*/true);
  return f.to(type);
}

bool adaptable(const torch::Tensor& file, const torch::Tensor& target) {
  return file.dim() == 4 && target.dim() == 4 && target.size(1) == 1 && file.size(1) % 3 == 0 &&
         file.size(0) == target.size(0) && file.size(2) == target.size(2) && file.size(3) == target.size(3);
}

std::string shapeOf(const torch::Tensor& t) { return c10::str(t.sizes()); }

}  // namespace

NamedTensors readStateDict(const weights::WeightsFile& file) {
  NamedTensors raw = file.format == weights::WeightsFormat::SafeTensors ? readSafetensors(file.path) : readTorchSave(file.path);
  NamedTensors out;
  for (auto& [name, t] : raw) out.emplace(startsWith(name, "module.") ? name.substr(7) : name, t);
  return out;
}

BackboneLoad loadPretrainedBackbone(Backbone& backbone, const std::filesystem::path& fileOrFolder) {
  BackboneLoad load;
  load.file = weights::identifyWeights(fileOrFolder);
  const std::string origin = load.file.path.string();
  NamedTensors tensors = readStateDict(load.file);
  // A chorus model's own weights.pt names its backbone "backbone.<timm name>".
  bool prefixed = false;
  for (const auto& [name, t] : tensors) prefixed = prefixed || startsWith(name, "backbone.");
  const auto targets = namedState(backbone);
  const std::string stem = backbone.named_parameters(true).begin()->key();  // the first convolution
  NamedTensors mapped;
  std::vector<std::string> unexpected, mismatched, missing;
  for (auto& [given, t] : tensors) {
    const std::string name = backboneName(prefixed && startsWith(given, "backbone.") ? given.substr(9) : given,
                                          targets.count("norm_pre.weight") > 0);
    if (prefixed && !startsWith(given, "backbone.")) {
      load.skipped.push_back(given);  // a chorus model's head (head.*, a distillation projection)
      continue;
    }
    if (name.empty()) {
      load.skipped.push_back(given);
      continue;
    }
    auto target = targets.find(name);
    if (target == targets.end()) {
      unexpected.push_back(given);
      continue;
    }
    torch::Tensor value = t;
    if (name == stem && t.sizes() != target->second.sizes() && adaptable(t, target->second)) {
      value = adaptStem(t);
      load.adapted.push_back(given);
    }
    if (value.sizes() != target->second.sizes())
      mismatched.push_back(given + " " + shapeOf(t) + " (the model's " + shapeOf(target->second) + ")");
    else
      mapped.emplace(name, value);
  }
  for (const auto& [name, t] : targets)
    if (!mapped.count(name) && std::none_of(mismatched.begin(), mismatched.end(),
                                            [&](const std::string& m) { return startsWith(m, name + " "); }))
      missing.push_back(name);
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty())
    throw InputError(origin, 0,
                     "these weights do not fit the backbone (only the stem's input channels and the classifier may "
                     "differ):" + (missing.empty() ? "" : "\n  missing: " + listed(missing)) +
                         (unexpected.empty() ? "" : "\n  unexpected: " + listed(unexpected)) +
                         (mismatched.empty() ? "" : "\n  shape mismatch: " + listed(mismatched)));
  loadState(backbone, mapped, origin, /*strict=*/true);
  load.loaded = mapped.size();
  CHORUS_LOG(Info) << "backbone weights " << origin << " (sha256 " << load.file.sha256 << "): " << load.loaded
                   << " tensors" << (load.adapted.empty() ? "" : ", stem summed over its input channels (timm's rule)")
                   << (load.skipped.empty() ? "" : ", " + std::to_string(load.skipped.size()) + " head tensors skipped");
  return load;
}

void writeTimmSafetensors(const torch::nn::Module& classifier, const std::filesystem::path& file) {
  NamedTensors out;
  for (const auto& [name, t] : namedState(classifier)) {
    if (startsWith(name, "backbone.")) out.emplace(name.substr(9), t);
    else if (startsWith(name, "head.")) out.emplace("chorus_head." + name.substr(5), t);
    else throw InputError(file.string() + ": tensor " + name + " is neither backbone. nor head.");
  }
  writeSafetensors(file, out);
}

void loadBackboneWeights(Backbone& backbone, const std::filesystem::path& file) { loadPretrainedBackbone(backbone, file); }

}  // namespace chorus::model

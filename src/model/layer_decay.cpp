#include "core/parse_number.hpp"
#include "model/layer_decay.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

namespace chorus::model {
namespace {

using BlockKey = std::pair<int, int>;  // (stage, block within stage)

std::vector<std::string> split(const std::string& name) {
  std::vector<std::string> parts;
  std::stringstream in(name);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  return parts;
}

std::optional<int> number(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const auto n = toInteger(s);
  return n ? std::optional<int>(int(*n)) : std::nullopt;
}

std::string withoutBackbonePrefix(const std::string& name) {
  const std::string prefix = "backbone.";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

bool isStem(const std::vector<std::string>& p) {
  return !p.empty() && (p[0] == "conv_stem" || p[0] == "bn1" || p[0] == "stem");
}

std::optional<BlockKey> blockOf(const std::vector<std::string>& p) {
  if (p.size() > 3 && p[0] == "blocks") {
    auto s = number(p[1]), b = number(p[2]);
    if (s && b) return BlockKey{*s, *b};
  }
  if (p.size() > 3 && p[0] == "stages") {
    auto s = number(p[1]);
    if (s && p[2] == "downsample") return BlockKey{*s, 0};
    if (auto b = number(p[2]); s && b) return BlockKey{*s, *b};  // NFNet: stages.S.B.*
    if (s && p.size() > 4 && p[2] == "blocks")
      if (auto b = number(p[3])) return BlockKey{*s, *b};
  }
  return std::nullopt;
}

}  // namespace

std::vector<ParamGroup> layerDecayGroups(const torch::nn::Module& model, double layerDecay, double weightDecay) {
  const auto params = model.named_parameters(true);
  std::map<BlockKey, int> ordinal;
  for (const auto& p : params)
    if (auto key = blockOf(split(withoutBackbonePrefix(p.key())))) ordinal.emplace(*key, 0);
  int next = 1;
  for (auto& [key, index] : ordinal) index = next++;
  const int numBlocks = static_cast<int>(ordinal.size());

  // (layer, without-decay) -> group; the map keeps them in layer order, decayed first.
  std::map<std::pair<int, bool>, ParamGroup> groups;
  for (const auto& p : params) {
    if (!p.value().requires_grad()) continue;
    const auto parts = split(withoutBackbonePrefix(p.key()));
    int layer = numBlocks;
    if (isStem(parts)) layer = 0;
    if (auto key = blockOf(parts)) layer = ordinal.at(*key);
    const bool noDecay = p.value().dim() <= 1;
    auto& g = groups[{layer, noDecay}];
    g.layer = layer;
    g.lrScale = std::pow(layerDecay, numBlocks - layer);
    g.weightDecay = noDecay ? 0.0 : weightDecay;
    g.names.push_back(p.key());
    g.params.push_back(p.value());
  }
  std::vector<ParamGroup> out;
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  return out;
}

std::vector<torch::optim::OptimizerParamGroup> adamwParamGroups(const std::vector<ParamGroup>& groups,
                                                                const torch::optim::AdamWOptions& base) {
  std::vector<torch::optim::OptimizerParamGroup> out;
  for (const auto& g : groups) {
    auto options = std::make_unique<torch::optim::AdamWOptions>(base);
    options->lr(base.lr() * g.lrScale).weight_decay(g.weightDecay);
    out.emplace_back(g.params, std::move(options));
  }
  return out;
}

}  // namespace chorus::model

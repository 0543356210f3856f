// Named tensors on disk: the same file format as Python's torch.save of a dict {name: tensor}, so
// torch.load reads what we write and we read what timm/PyTorch scripts save (state_dicts saved
// as plain dicts). Writes are atomic (temporary file + rename, core/atomic_file.hpp).
#pragma once
#include "model/backbone.hpp"

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace chorus::model {

using NamedTensors = std::map<std::string, torch::Tensor>;

// Throws InputError naming the file when it is missing or not a dict of tensors.
NamedTensors readTensorFile(const std::filesystem::path& file);
// Tensors are written from CPU copies; the file appears whole or not at all.
void writeTensorFile(const std::filesystem::path& file, const NamedTensors& tensors);

// Parameters and buffers by their dotted names (state_dict order does not matter here).
NamedTensors namedState(const torch::nn::Module& module);

struct LoadReport {
  std::vector<std::string> missing;     // in the module, not in the file
  std::vector<std::string> unexpected;  // in the file, not in the module
};

// Copies tensors into the module's parameters and buffers by name, onto whatever device and
// dtype the module has. A shape mismatch always throws InputError(source, name); strict also
// throws when anything is missing or unexpected.
LoadReport loadState(torch::nn::Module& module, const NamedTensors& tensors, const std::string& source, bool strict);

// A module's parameters and buffers, saved and loaded (strict) by name.
void saveWeights(const torch::nn::Module& module, const std::filesystem::path& file);
void loadWeights(torch::nn::Module& module, const std::filesystem::path& file);

// Pretrained weights (a file or folder) into one of our backbones by timm's rules: defined and
// documented in model/backbone_weights.hpp (loadPretrainedBackbone, which also reports what it did).
void loadBackboneWeights(Backbone& backbone, const std::filesystem::path& file);

}  // namespace chorus::model

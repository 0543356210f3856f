// Named torch tensors <-> safetensors files (weights/safetensors.hpp holds the format itself, without
// torch). Names are kept as given: mapping our names to timm's, or a checkpoint's to a backbone's, is
// the caller's rule.
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include "model/checkpoint.hpp"
#include "weights/safetensors.hpp"

namespace chorus::model {

// Every tensor as a CPU tensor of its own dtype (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL),
// copied out of the file.
NamedTensors tensorsOf(const weights::SafeTensorsFile& file);
NamedTensors readSafetensors(const std::filesystem::path& file);  // InputError naming the file

// CPU, contiguous copies written atomically; UsageError for a dtype the format cannot hold.
void writeSafetensors(const std::filesystem::path& file, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace chorus::model

// Where a pretrained model's weights are on disk, in which format, and exactly which bytes.
// What users have (chorus train --backbone-weights PATH):
//   a file     .safetensors (timm, the Hugging Face hub), or a torch.save file (.pth, .pt, .bin,
//              .ckpt); the format is read from the file's first bytes, not its name
//   a folder   holding model.safetensors (else pytorch_model.bin, else open_clip_pytorch_model.bin):
//              a hub snapshot folder, or a chorus job folder WORK/models/<job>/
//   a hub repository folder  models--ORG--NAME/ of the Hugging Face cache
//              (~/.cache/huggingface/hub/models--timm--tf_efficientnet_b0.ns_jft_in1k/): the snapshot
//              refs/main names, else its only snapshot (snapshots/<rev>/model.safetensors, a link
//              into blobs/)
// A hub cache root (the folder of many models--*) is refused with the repositories it holds named.
// No torch here: the path rule and the digest serve options, run.json and the reports too.
#pragma once
#include <filesystem>
#include <string>

namespace chorus::weights {

enum class WeightsFormat { SafeTensors, TorchSave };

struct WeightsFile {
  std::filesystem::path path;  // the file, absolute (a hub snapshot's link, not its blob)
  WeightsFormat format = WeightsFormat::SafeTensors;
  std::string sha256;          // of its bytes (core/sha256.hpp)
};

// InputError naming the path and what was looked for when there is no weights file there.
std::filesystem::path locateWeightsFile(const std::filesystem::path& fileOrFolder);
// From the first bytes: a zip archive (torch.save since PyTorch 1.6) or a safetensors header.
// InputError naming the file otherwise (a legacy torch.save pickle is named as such).
WeightsFormat sniffWeightsFormat(const std::filesystem::path& file);
// locate + sniff + digest.
WeightsFile identifyWeights(const std::filesystem::path& fileOrFolder);

}  // namespace chorus::weights

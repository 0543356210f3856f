// Pretrained weights into a native backbone (chorus train --backbone-weights PATH), read as users
// have them: a .safetensors file (timm, the Hugging Face hub), a torch.save'd state dict (.pth,
// .bin; nested under "state_dict" or "model", "module." prefixes of DataParallel stripped), a hub
// snapshot or repository folder (weights/weight_files.hpp finds the file), or a chorus checkpoint
// (epoch-NNNN/model.safetensors with timm's names, or weights.pt with "backbone."-prefixed ones).
//
// Names are timm's as they are (backbone.hpp). The rules, timm's own:
//   head     classifier.*, fc.*, head.* (timm's heads), chorus_head.* (ours) are skipped; except ConvNeXt's
//            head.norm.*, which is our norm_pre.* (backbone.hpp).
//   stem     a stem convolution with 3 input channels (RGB ImageNet weights) where ours has 1 is
//            adapted as timm's adapt_input_conv does: summed over the input channels (for 3k
//            channels, over each group of 3), so a grey image gives what RGB grey gave.
//   the rest must match by name and shape, both ways: otherwise InputError naming every missing,
//            unexpected and mis-shaped tensor, and the backbone stays as it was.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "model/backbone.hpp"
#include "model/checkpoint.hpp"
#include "weights/weight_files.hpp"

namespace chorus::model {

// A weights file's tensors under their own names (unwrapped, "module." stripped). InputError
// naming the file when it is not a dict of tensors.
NamedTensors readStateDict(const weights::WeightsFile& file);

struct BackboneLoad {
  weights::WeightsFile file;            // path, format, sha256
  std::vector<std::string> skipped;     // head tensors left out
  std::vector<std::string> adapted;     // stem tensors adapted to our input channels
  size_t loaded = 0;                    // tensors copied in
};

// Loads `fileOrFolder` into `backbone` by the rules above and logs what it did.
BackboneLoad loadPretrainedBackbone(Backbone& backbone, const std::filesystem::path& fileOrFolder);

// A Classifier's weights under the names a checkpoint's model.safetensors has (the contract the
// OpenVINO engine reads, ovengine/graph.hpp): the backbone's as timm names them ("backbone."
// dropped; ConvNeXt's norm_pre as timm's head_norm_first=True model), our head under chorus_head.
// timm.create_model(NAME, in_chans=1, num_classes=0).load_state_dict(..., strict=False) reads the
// backbone (chorus_head.* are its unexpected keys), and --backbone-weights reads it back by the
// rules above (chorus_head.* skipped as a head). Written atomically.
void writeTimmSafetensors(const torch::nn::Module& classifier, const std::filesystem::path& file);

}  // namespace chorus::model

// A training job, and the name of its folder under WORK/models: "<backbone>-f<fold>[-r<round>]"
// ("efficientnet_b0-f3", "efficientnetv2_b0-f0-r2"). Round 0 is training without pseudo-labels;
// round n learned from pseudo/r<n>. The one place that builds or reads such a name: train writes
// the folders, and infer, pseudo, report and the pipeline find models by it.
#pragma once
#include <optional>
#include <string>

namespace chorus::meta {

struct Job {
  std::string backbone;  // a backbone name as train --backbones takes it
  int fold = 0;          // the held-out fold
  int round = 0;         // pseudo-label round

  std::string name() const;  // the folder name
  bool operator==(const Job& o) const { return backbone == o.backbone && fold == o.fold && round == o.round; }
};

// A folder name back into its job; nullopt for anything that is not one (the longest "-f<digits>"
// suffix wins, so a backbone name may itself contain "-f").
std::optional<Job> parseJobName(const std::string& name);

// The command line's form, "BACKBONE/FOLD" (train --job, infer --models): UsageError naming `option`
// and the text otherwise.
Job parseJobSpec(const std::string& text, const std::string& option);

}  // namespace chorus::meta

// What prep removes from the parsed tables, and why: every removal or change is a RowIssue that
// names the file, the line and the reason, so the report accounts for every input row.
#pragma once
#include <filesystem>
#include <vector>

#include "meta/kaggle_tables.hpp"
#include "meta/species.hpp"

namespace chorus::meta {

struct Cleaned {
  std::vector<std::size_t> kept;  // positions of the kept rows, in file order
  std::vector<RowIssue> dropped;  // kinds duplicate, unknown_label, missing_audio
  std::vector<RowIssue> changed;  // kept rows that lost an unknown label (unknown_secondary_label, unknown_label)
};

// train.csv rows. Dropped, first reason that applies: a duplicate (every field equal to an
// earlier row's, or the same audio file as an earlier row), a primary label not in the
// taxonomy, audio missing at audioDir/filename. Secondary labels not in the taxonomy are removed
// from the clip (its secondary_labels field is rewritten as Python's repr) and the row is kept.
Cleaned cleanTrainClips(TrainTable& table, const Taxonomy& taxonomy, const std::filesystem::path& audioDir);

// Labelled soundscape windows (already free of exact duplicates). Labels not in the taxonomy are
// removed from the window; a window left with none is dropped (unknown_label), then one whose
// soundscape is missing at audioDir/filename (missing_audio).
Cleaned cleanSoundscapeWindows(SoundscapeLabels& labels, const Taxonomy& taxonomy,
                               const std::filesystem::path& audioDir);

}  // namespace chorus::meta

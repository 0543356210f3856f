// WORK/features/report.json: per set, what was stored, what was reused from an earlier run, and
// every file that failed with its reason. Sets run separately update their own entry only.
#pragma once
#include <filesystem>
#include <vector>

#include "stages/features.hpp"

namespace chorus::stages::features {

// Rank 0 only; written atomically.
void writeReport(const std::filesystem::path& file, const FeaturesSummary& summary, const FeaturesOptions& options);

}  // namespace chorus::stages::features

// WORK/report.html: one self-contained page (inline SVG and CSS, no script, no network) that a
// person would rather look at than read: training curves of every model, the out-of-fold table
// (backbone x fold, pooled, ensemble), the ensemble's per-class AUC worst first with each class's
// training clips, and the time per stage.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "report/results.hpp"

namespace chorus::report {

struct StageTime {
  std::string stage;
  double seconds = 0;
  std::string note;  // "skipped (done earlier)", "exit 4", ... ; empty for a plain run
};

struct ReportInput {
  std::string title = "chorus run";
  Results results;
  std::vector<StageTime> stages;
  std::vector<std::pair<std::string, std::string>> facts;  // shown as a small table (submission, score, versions)
};

std::string reportHtml(const ReportInput& input);
// Writes reportHtml atomically to `file`.
void writeReportHtml(const std::filesystem::path& file, const ReportInput& input);

}  // namespace chorus::report

// submission.csv: exactly sample_submission.csv's columns in its order; its rows first, in its
// order (a row it lists without audio gets `missingValue` in every class: a constant ties those
// rows with each other and says nothing about them), then every other predicted window in
// prediction order. Every value is checked finite and in [0, 1] before the file is written
// atomically. No torch.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::infer {

struct SubmissionCounts {
  size_t rows = 0;         // written
  size_t missingRows = 0;  // in sample_submission, without audio: the constant
  size_t extraRows = 0;    // predicted, not in sample_submission: appended
  std::vector<std::string> missingExamples;  // the first few, for the report
};

// values: rowIds.size() x classes.size(), row-major, for the predicted windows. Throws InputError
// when sample_submission has a class the models do not predict, Error when a value is not finite
// or outside [0, 1] (naming the row and class).
SubmissionCounts writeSubmission(const std::filesystem::path& out, const std::filesystem::path& sampleSubmission,
                                 const std::vector<std::string>& rowIds, const std::vector<std::string>& classes,
                                 const std::vector<double>& values, double missingValue);

}  // namespace chorus::infer

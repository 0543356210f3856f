#include "infer/submission.hpp"

#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "meta/csv.hpp"
#include "meta/species.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

SubmissionCounts writeSubmission(const fs::path& out, const fs::path& sampleSubmission,
                                 const std::vector<std::string>& rowIds, const std::vector<std::string>& classes,
                                 const std::vector<double>& values, double missingValue) {
  const std::vector<std::string> columns = meta::readSubmissionClasses(sampleSubmission);
  const meta::CsvTable sample = meta::CsvTable::read(sampleSubmission);
  const size_t K = classes.size();
  if (values.size() != rowIds.size() * K) throw Error("submission: values do not match rows x classes");
  std::unordered_map<std::string, size_t> classIndex, rowIndex;
  for (size_t k = 0; k < K; ++k) classIndex[classes[k]] = k;
  for (size_t r = 0; r < rowIds.size(); ++r) rowIndex[rowIds[r]] = r;
  std::vector<size_t> from;  // submission column -> prediction class
  for (const auto& c : columns) {
    auto it = classIndex.find(c);
    if (it == classIndex.end())
      throw InputError(sampleSubmission.string() + ": class column '" + c + "' is not among the models' classes (species_list.csv)");
    from.push_back(it->second);
  }
  if (!(missingValue >= 0 && missingValue <= 1)) throw UsageError("--missing-value must lie in [0, 1]");

  // The rows in output order: (prediction row or -1 for the constant, id).
  std::vector<std::pair<long, std::string>> order;
  std::unordered_map<std::string, long> listed;  // row_id -> its line in the sample
  SubmissionCounts counts;
  const size_t idColumn = sample.column("row_id");
  for (const auto& row : sample.rows()) {
    const std::string& id = row.fields[idColumn];
    // A repeated id would make a submission one row short of what Kaggle expects: refuse it.
    if (auto seen = listed.find(id); seen != listed.end())
      throw InputError(sample.fileName(), row.line,
                       "row_id " + id + " repeats line " + std::to_string(seen->second) + ": each row_id must appear once");
    listed[id] = row.line;
    auto it = rowIndex.find(id);
    if (it == rowIndex.end()) {
      ++counts.missingRows;
      if (counts.missingExamples.size() < 10) counts.missingExamples.push_back(id);
    }
    order.push_back({it == rowIndex.end() ? -1L : long(it->second), id});
  }
  for (size_t r = 0; r < rowIds.size(); ++r)
    if (!listed.count(rowIds[r])) order.push_back({long(r), rowIds[r]}), ++counts.extraRows;

  // Validate everything before writing anything.
  for (const auto& [r, id] : order) {
    if (r < 0) continue;
    for (size_t j = 0; j < from.size(); ++j) {
      const double v = values[size_t(r) * K + from[j]];
      if (!std::isfinite(v) || v < 0 || v > 1)
        throw Error("submission: row " + id + ", class " + columns[j] + ": value " + std::to_string(v) + " is not in [0, 1]");
    }
  }
  AtomicFile file(out);
  std::ostream& os = file.stream();
  std::vector<std::string> header = {"row_id"};
  header.insert(header.end(), columns.begin(), columns.end());
  meta::writeCsvRow(os, header);
  char buf[32];
  for (const auto& [r, id] : order) {
    os << meta::csvField(id);
    for (size_t j = 0; j < from.size(); ++j) {
      // %.9g: rank averages of thousands of rows differ in the 5th digit; keep every distinction.
      std::snprintf(buf, sizeof buf, ",%.9g", r < 0 ? missingValue : values[size_t(r) * K + from[j]]);
      os << buf;
    }
    os << '\n';
  }
  file.commit();
  counts.rows = order.size();
  return counts;
}

}  // namespace chorus::infer

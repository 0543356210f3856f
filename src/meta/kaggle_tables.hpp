// The competition's label tables, read row by row: a row that does not parse is set aside with
// its file, line and reason, and the rest is read. A file that cannot be read at all (missing,
// a required column absent, a broken CSV record) throws InputError naming the file and line.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::meta {

// A row that was set aside or changed, named for the report.
struct RowIssue {
  std::string file;
  long line = 0;
  std::string kind;    // parse_error, duplicate, missing_audio, unknown_label, unknown_secondary_label, ...
  std::string reason;  // for a person: what is wrong with the row
};

// train.csv: primary_label, secondary_labels, filename are required; every column is carried.
struct TrainClip {
  long line = 0;
  std::vector<std::string> fields;  // as read; written back unchanged except secondary_labels
  std::string primaryLabel, filename;
  std::vector<std::string> secondaryLabels;
};

struct TrainTable {
  std::string file;
  std::vector<std::string> header;
  std::size_t primaryColumn = 0, secondaryColumn = 0, filenameColumn = 0;
  std::vector<TrainClip> clips;    // rows that parsed, in file order
  std::vector<RowIssue> unparsed;  // kind parse_error
};
TrainTable readTrainTable(const std::filesystem::path& file);

// train_soundscapes_labels.csv: filename,start,end,primary_label; labels ';'-separated.
struct SoundscapeWindow {
  long line = 0;
  std::string filename, start, end;  // start and end as written ("00:00:05")
  double startSeconds = 0, endSeconds = 0;
  std::vector<std::string> labels;
};

struct SoundscapeLabels {
  std::string file;
  std::vector<SoundscapeWindow> windows;  // parsed, exact duplicates removed, in file order
  std::vector<RowIssue> unparsed;         // kind parse_error
  std::vector<RowIssue> duplicates;       // kind duplicate: exact copies of an earlier row
};
SoundscapeLabels readSoundscapeLabels(const std::filesystem::path& file);

// The fields of a row joined unambiguously: equal keys mean an exact duplicate row.
std::string rowKey(const std::vector<std::string>& fields);

// "a;b; c" -> {"a", "b", "c"}: pieces trimmed of spaces, empty pieces skipped.
std::vector<std::string> splitLabels(const std::string& field);

}  // namespace chorus::meta

// A teacher store: a pretrained model's predictions (BirdNET, Perch, a chorus ensemble) on audio
// windows, in one HDF5 file that h5py can write from a notebook (README "Teachers"). chorus uses
// it three ways: pseudo-labels, a distillation target, and one more member of the reducer.
//
// At the root (N rows, one per (item, window); K classes; D embedding values):
//   item_id        [N] str       the audio file: a soundscape's file name ("X.ogg"), or a
//                                train_audio clip's train.csv filename ("1139490/CSA36385.ogg")
//   start_s, end_s [N] float64   the window in seconds; the competition's are [5j, 5j + 5)
//   probs          [N, K] float  the teacher's probability of each class, in [0, 1]; NaN in the
//                                column of a class the teacher does not have
//   class          [K] str       the columns of probs: competition class labels (any order, any subset)
//   covered        [K] 0/1       1: the teacher has this class (its column holds a probability in
//                                every row); 0: it has no such class (its column is NaN). Kept
//                                apart from a zero: probs 0.0 means "the teacher says absent".
//                                Any integer type or numpy bool.
//   embedding      [N, D] float  optional: the teacher's embedding of each window
//   class_source   [K] str       optional: the teacher class(es) each class came from ("" none)
//   teacher_class  [T] str       optional: the teacher's own class list
//   unmapped_class [U] str       optional: teacher classes that became no competition class
//   failed_item, failed_reason [F] str  optional: items the teacher could not score, and why
// Root attributes: teacher_name (str, required), teacher_version (str), class_mapping (str: how the
// teacher's classes were mapped to ours, in words), window_seconds (number, required), and
// store_format = "chorus-teacher-store", store_version = 1 (optional; when present, checked).
// Strings may be variable-length (h5py.string_dtype()) or fixed-length ("S") datasets.
//
// Everything malformed is an InputError naming the file and the row or field: shapes that do not
// agree, a covered column holding a NaN or a value outside [0, 1], an uncovered column holding a
// number, a class listed twice, a window given twice, a window of the wrong length.
// Torch-free, MPI-free; HDF5 calls hold the store layer's library mutex.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "meta/soundscape_window.hpp"

namespace chorus::store {

inline constexpr const char* kTeacherStoreFormat = "chorus-teacher-store";
inline constexpr int64_t kTeacherStoreVersion = 1;

struct TeacherStore {
  std::filesystem::path path;  // the file it was read from; "" for a store built in memory
  std::string name, version, mapping;  // teacher_name, teacher_version, class_mapping
  double windowSeconds = meta::kWindowSeconds;
  std::vector<std::string> classes;   // K
  std::vector<uint8_t> covered;       // K: 1 covered, 0 not
  std::vector<std::string> itemIds;   // N
  std::vector<double> startSeconds, endSeconds;  // N
  std::vector<float> probs;           // N x K, row-major; NaN in uncovered columns
  size_t embeddingDim = 0;            // D; 0: no embeddings
  std::vector<float> embeddings;      // N x D
  std::vector<std::string> classSource, teacherClasses, unmappedClasses;  // optional (may be empty)
  std::vector<std::string> failedItems, failedReasons;                   // optional, one reason per item

  size_t rows() const { return itemIds.size(); }
  size_t classCount() const { return classes.size(); }
  float prob(size_t n, size_t k) const { return probs[n * classes.size() + k]; }
  const float* embedding(size_t n) const { return embeddings.data() + n * embeddingDim; }
  size_t coveredCount() const;
  // "<item> <start>-<end> s (row n)": how messages name a row.
  std::string describeRow(size_t n) const;
  // The reader's checks, for a store built in memory (the writer runs them first).
  void validate() const;
};

// Reads and validates a store. InputError naming the file (and row / field) for anything malformed.
TeacherStore readTeacherStore(const std::filesystem::path& file);
// Validates, then writes atomically (a temporary file renamed into place).
void writeTeacherStore(const std::filesystem::path& file, const TeacherStore& store);

// The store with its columns in the order of `classes` (the species list): a class the store lacks
// becomes an uncovered (NaN) column. A store class that is not in `classes` is an InputError
// naming the file and the classes: a teacher mapped to another competition's list.
TeacherStore alignClasses(const TeacherStore& store, const std::vector<std::string>& classes);

// The competition's grid: every window is [5j, 5j + 5) for an integer j >= 0 (to 1e-6 s).
// InputError naming the file and the first row that is not, for the stages that join teacher
// rows to scored windows (pseudo, infer).
void requireScoredWindows(const TeacherStore& store);

// The store with only the rows whose item is in `items` (store order kept): a stage that labels one
// set (train_soundscapes) ignores a store's rows of other audio.
TeacherStore rowsOfItems(const TeacherStore& store, const std::set<std::string>& items);

// The one rule for a teacher's share w of each class it has (pseudo and infer --teacher-weight):
// UsageError "<stage>: --teacher-weight must be in [0, 1] ..." otherwise.
void requireTeacherWeight(double w, const std::string& stage);

// Rows by item and time, for joining teacher windows to ours.
class TeacherWindows {
 public:
  explicit TeacherWindows(const TeacherStore& store);
  // The row of item's window ending at endSeconds (to 1 ms); none when the teacher has no such window.
  std::optional<size_t> find(const std::string& item, double endSeconds) const;
  // The row of item's window that contains `seconds` (start <= s < end; of several, the one whose
  // centre is nearest): where a training crop's centre lies.
  std::optional<size_t> containing(const std::string& item, double seconds) const;

 private:
  const TeacherStore* store_;
  std::map<std::pair<std::string, long long>, size_t> byEnd_;  // (item, end in ms)
  std::map<std::string, std::vector<size_t>> byItem_;
};

// Teacher rows gathered for a batch, torch-free (the trainer wraps them as tensors): probs
// rows.size() x K (NaN where the class is uncovered or the row is absent), embeddings
// rows.size() x D (zeros where absent) and which rows have one.
struct TeacherBatch {
  std::vector<float> probs, embeddings;
  std::vector<uint8_t> hasRow;
};
TeacherBatch gatherTeacherRows(const TeacherStore& store, const std::vector<std::optional<size_t>>& rows);

}  // namespace chorus::store

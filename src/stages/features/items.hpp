// The items of a feature set, in the set's order: the order of the store, whatever the ranks.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::stages::features {

struct SetItem {
  std::string id;       // train_audio: train.csv's `filename` (e.g. "1139490/CSA36385.ogg"); soundscapes: file name
  std::string source;   // path relative to the data folder
  std::string problem;  // set when the listing itself is wrong (a duplicate row): recorded as a failure
};

// train_audio: the rows of WORK/meta/train_cleaned_stratified.csv when it exists, else every audio
// file under DATA/train_audio (recursive, sorted by path); soundscape sets: every audio file in the
// folder, sorted. Throws InputError if the folder (or the csv's `filename` column) is missing.
std::vector<SetItem> listSetItems(const std::filesystem::path& data, const std::filesystem::path& work,
                                  const std::string& set);


// Items as JSON text and back, to broadcast rank 0's listing.
std::string itemsToJson(const std::vector<SetItem>& items);
std::vector<SetItem> itemsFromJson(const std::string& text);

}  // namespace chorus::stages::features

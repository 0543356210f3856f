#include "stages/features/items.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "audio/decode.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "meta/csv.hpp"

namespace chorus::stages::features {
namespace fs = std::filesystem;

namespace {

std::vector<SetItem> fromCsv(const fs::path& csv, const std::string& set) {
  meta::CsvTable table = meta::CsvTable::read(csv);
  const size_t column = table.column("filename");
  std::vector<SetItem> items;
  std::map<std::string, long> firstLine;
  for (const auto& row : table.rows()) {
    SetItem item;
    item.id = row.fields[column];
    item.source = (fs::path(set) / item.id).generic_string();
    if (item.id.empty()) {
      item.id = "(empty filename, " + csv.filename().string() + " line " + std::to_string(row.line) + ")";
      item.problem = csv.string() + ":" + std::to_string(row.line) + ": empty filename";
    } else if (auto [it, fresh] = firstLine.emplace(item.id, row.line); !fresh) {
      item.id += " (duplicate at line " + std::to_string(row.line) + ")";
      item.problem = csv.string() + ":" + std::to_string(row.line) + ": filename already listed at line " +
                     std::to_string(it->second);
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<SetItem> fromFolder(const fs::path& data, const std::string& set) {
  const fs::path folder = data / set;
  if (!fs::is_directory(folder)) throw InputError("no folder " + folder.string() + " for feature set " + set);
  std::vector<SetItem> items;
  size_t skipped = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = entry.path().lexically_relative(folder);
    if (!audio::isAudioFile(relative) || relative.filename().string().front() == '.') {
      ++skipped;
      continue;
    }
    items.push_back({relative.generic_string(), (fs::path(set) / relative).generic_string(), ""});
  }
  // Byte order of the relative path: the same on every machine and filesystem.
  std::sort(items.begin(), items.end(), [](const SetItem& a, const SetItem& b) { return a.id < b.id; });
  if (skipped) CHORUS_LOG(Info) << set << ": ignored " << skipped << " files that are not audio";
  return items;
}

}  // namespace

std::vector<SetItem> listSetItems(const fs::path& data, const fs::path& work, const std::string& set) {
  if (set == "train_audio") {
    const fs::path csv = work / "meta" / "train_cleaned_stratified.csv";
    if (fs::exists(csv)) {
      CHORUS_LOG(Info) << set << ": items are the rows of " << csv.string();
      return fromCsv(csv, set);
    }
  }
  return fromFolder(data, set);
}

std::string itemsToJson(const std::vector<SetItem>& items) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& item : items) j.push_back({item.id, item.source, item.problem});
  return j.dump();
}

std::vector<SetItem> itemsFromJson(const std::string& text) {
  std::vector<SetItem> items;
  for (const auto& e : nlohmann::json::parse(text)) items.push_back({e[0], e[1], e[2]});
  return items;
}

}  // namespace chorus::stages::features

#include "meta/cleaning.hpp"

#include <unordered_map>

#include "meta/python_list.hpp"

namespace chorus::meta {
namespace {

// Why the audio of `filename` cannot be used, or empty when it is there.
std::string missingAudio(const std::filesystem::path& audioDir, const std::string& filename) {
  const std::filesystem::path relative(filename);
  if (relative.is_absolute()) return "filename " + filename + " is not relative to " + audioDir.string();
  std::error_code ec;
  if (std::filesystem::is_regular_file(audioDir / relative, ec)) return "";
  return "audio file missing: " + (audioDir / relative).string();
}

std::string joinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (const auto& l : labels) out += (out.empty() ? "'" : ", '") + l + "'";
  return out;
}

// Splits `labels` into the known ones (kept in place) and the unknown ones (returned).
std::vector<std::string> removeUnknown(std::vector<std::string>& labels, const Taxonomy& taxonomy) {
  std::vector<std::string> known, unknown;
  for (auto& l : labels) (taxonomy.contains(l) ? known : unknown).push_back(std::move(l));
  labels = std::move(known);
  return unknown;
}

}  // namespace

Cleaned cleanTrainClips(TrainTable& table, const Taxonomy& taxonomy, const std::filesystem::path& audioDir) {
  Cleaned out;
  std::unordered_map<std::string, long> rowSeen, fileSeen;  // -> line of the first such row
  for (std::size_t i = 0; i < table.clips.size(); ++i) {
    TrainClip& clip = table.clips[i];
    auto drop = [&](const char* kind, const std::string& reason) { out.dropped.push_back({table.file, clip.line, kind, reason}); };
    auto [row, freshRow] = rowSeen.emplace(rowKey(clip.fields), clip.line);
    auto [file, freshFile] = fileSeen.emplace(clip.filename, clip.line);
    if (!freshRow) {
      drop("duplicate", "exact duplicate of line " + std::to_string(row->second));
      continue;
    }
    if (!freshFile) {
      drop("duplicate", "same audio file " + clip.filename + " as line " + std::to_string(file->second));
      continue;
    }
    if (!taxonomy.contains(clip.primaryLabel)) {
      drop("unknown_label", "primary_label '" + clip.primaryLabel + "' is not in the taxonomy");
      continue;
    }
    if (auto why = missingAudio(audioDir, clip.filename); !why.empty()) {
      drop("missing_audio", why);
      continue;
    }
    auto unknown = removeUnknown(clip.secondaryLabels, taxonomy);
    if (!unknown.empty()) {
      clip.fields[table.secondaryColumn] = formatPythonStringList(clip.secondaryLabels);
      out.changed.push_back({table.file, clip.line, "unknown_secondary_label",
                             "secondary label(s) " + joinLabels(unknown) + " not in the taxonomy: removed"});
    }
    out.kept.push_back(i);
  }
  return out;
}

Cleaned cleanSoundscapeWindows(SoundscapeLabels& labels, const Taxonomy& taxonomy,
                               const std::filesystem::path& audioDir) {
  Cleaned out;
  std::unordered_map<std::string, std::string> missing;  // filename -> why (empty: present)
  for (std::size_t i = 0; i < labels.windows.size(); ++i) {
    SoundscapeWindow& w = labels.windows[i];
    auto unknown = removeUnknown(w.labels, taxonomy);
    const std::string what = "label(s) " + joinLabels(unknown) + " not in the taxonomy";
    if (w.labels.empty()) {
      out.dropped.push_back({labels.file, w.line, "unknown_label", what + ": no label left"});
      continue;
    }
    auto it = missing.find(w.filename);
    if (it == missing.end()) it = missing.emplace(w.filename, missingAudio(audioDir, w.filename)).first;
    if (!it->second.empty()) {
      out.dropped.push_back({labels.file, w.line, "missing_audio", it->second});
      continue;
    }
    if (!unknown.empty()) out.changed.push_back({labels.file, w.line, "unknown_label", what + ": removed from the window"});
    out.kept.push_back(i);
  }
  return out;
}

}  // namespace chorus::meta

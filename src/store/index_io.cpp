#include "store/index_io.hpp"

#include "core/error.hpp"

namespace chorus::store {

const char* toString(MelDtype dtype) { return dtype == MelDtype::Float16 ? "float16" : "float32"; }

MelDtype melDtypeFromString(const std::string& text) {
  if (text == "float16") return MelDtype::Float16;
  if (text == "float32") return MelDtype::Float32;
  throw UsageError("mel dtype must be float16 or float32, not '" + text + "'");
}

h5::Handle melFileType(MelDtype dtype) {
  return dtype == MelDtype::Float16 ? h5::float16Type() : h5::Handle(H5Tcopy(H5T_IEEE_F32LE));
}

void writeIndex(hid_t file, const std::vector<StoreItem>& items, const std::vector<StoreFailure>& failures,
                const std::filesystem::path& path) {
  std::vector<std::string> ids, sources;
  std::vector<int64_t> index, offset, count, peak, peakAfterLead, vadOffset;
  std::vector<int32_t> rate, channels, vadCount;
  std::vector<double> duration, leadEnd, segments;
  std::vector<int8_t> kinds;
  for (const auto& item : items) {
    ids.push_back(item.id);
    sources.push_back(item.source);
    index.push_back(item.index);
    offset.push_back(item.frameOffset);
    count.push_back(item.frameCount);
    rate.push_back(item.sourceSampleRate);
    channels.push_back(item.sourceChannels);
    duration.push_back(item.duration);
    peak.push_back(item.energyPeakFrame);
    peakAfterLead.push_back(item.energyPeakAfterLead);
    leadEnd.push_back(item.leadEnd);
    vadOffset.push_back(static_cast<int64_t>(kinds.size()));
    vadCount.push_back(static_cast<int32_t>(item.vad.size()));
    for (const auto& s : item.vad) {
      segments.push_back(s.start);
      segments.push_back(s.end);
      kinds.push_back(s.kind);
    }
  }
  h5::writeStrings(file, "item_id", ids, path);
  h5::writeStrings(file, "source_file", sources, path);
  h5::writeArray(file, "item_index", index, path);
  h5::writeArray(file, "frame_offset", offset, path);
  h5::writeArray(file, "frame_count", count, path);
  h5::writeArray(file, "source_sample_rate", rate, path);
  h5::writeArray(file, "source_channels", channels, path);
  h5::writeArray(file, "duration", duration, path);
  h5::writeArray(file, "energy_peak_frame", peak, path);
  h5::writeArray(file, "energy_peak_after_lead", peakAfterLead, path);
  h5::writeArray(file, "lead_end", leadEnd, path);
  h5::writeArray(file, "vad_offset", vadOffset, path);
  h5::writeArray(file, "vad_count", vadCount, path);
  h5::writeArray(file, "vad_segments", segments, path, 2);
  h5::writeArray(file, "vad_kind", kinds, path);

  std::vector<int64_t> failedIndex;
  std::vector<std::string> failedId, failedSource, failedReason;
  for (const auto& f : failures) {
    failedIndex.push_back(f.index);
    failedId.push_back(f.id);
    failedSource.push_back(f.source);
    failedReason.push_back(f.reason);
  }
  h5::writeArray(file, "failed_item_index", failedIndex, path);
  h5::writeStrings(file, "failed_item_id", failedId, path);
  h5::writeStrings(file, "failed_source", failedSource, path);
  h5::writeStrings(file, "failed_reason", failedReason, path);
}

void readIndex(hid_t file, const std::filesystem::path& path, std::vector<StoreItem>& items,
               std::vector<StoreFailure>& failures) {
  auto ids = h5::readStrings(file, "item_id", path);
  auto sources = h5::readStrings(file, "source_file", path);
  auto index = h5::readArray<int64_t>(file, "item_index", path);
  auto offset = h5::readArray<int64_t>(file, "frame_offset", path);
  auto count = h5::readArray<int64_t>(file, "frame_count", path);
  auto rate = h5::readArray<int32_t>(file, "source_sample_rate", path);
  auto channels = h5::readArray<int32_t>(file, "source_channels", path);
  auto duration = h5::readArray<double>(file, "duration", path);
  auto peak = h5::readArray<int64_t>(file, "energy_peak_frame", path);
  auto peakAfterLead = h5::readArray<int64_t>(file, "energy_peak_after_lead", path);
  auto leadEnd = h5::readArray<double>(file, "lead_end", path);
  auto vadOffset = h5::readArray<int64_t>(file, "vad_offset", path);
  auto vadCount = h5::readArray<int32_t>(file, "vad_count", path);
  auto segments = h5::readArray<double>(file, "vad_segments", path);
  auto kinds = h5::readArray<int8_t>(file, "vad_kind", path);
  const size_t n = ids.size();
  for (size_t size : {sources.size(), index.size(), offset.size(), count.size(), rate.size(), channels.size(),
                      duration.size(), peak.size(), peakAfterLead.size(), leadEnd.size(), vadOffset.size(),
                      vadCount.size()})
    if (size != n) throw InputError(path.string() + ": index datasets have different lengths");
  if (segments.size() != 2 * kinds.size()) throw InputError(path.string() + ": vad_segments and vad_kind disagree");

  items.assign(n, StoreItem{});
  for (size_t i = 0; i < n; ++i) {
    StoreItem& item = items[i];
    item.id = ids[i];
    item.source = sources[i];
    item.index = index[i];
    item.frameOffset = offset[i];
    item.frameCount = count[i];
    item.sourceSampleRate = rate[i];
    item.sourceChannels = channels[i];
    item.duration = duration[i];
    item.energyPeakFrame = peak[i];
    item.energyPeakAfterLead = peakAfterLead[i];
    item.leadEnd = leadEnd[i];
    if (vadOffset[i] < 0 || vadCount[i] < 0 || size_t(vadOffset[i] + vadCount[i]) > kinds.size())
      throw InputError(path.string() + ": item " + item.id + " points outside vad_segments");
    for (int64_t k = vadOffset[i]; k < vadOffset[i] + vadCount[i]; ++k)
      item.vad.push_back({segments[2 * k], segments[2 * k + 1], kinds[k]});
  }

  auto failedIndex = h5::readArray<int64_t>(file, "failed_item_index", path);
  auto failedId = h5::readStrings(file, "failed_item_id", path);
  auto failedSource = h5::readStrings(file, "failed_source", path);
  auto failedReason = h5::readStrings(file, "failed_reason", path);
  if (failedId.size() != failedIndex.size() || failedSource.size() != failedIndex.size() ||
      failedReason.size() != failedIndex.size())
    throw InputError(path.string() + ": failure datasets have different lengths");
  failures.clear();
  for (size_t i = 0; i < failedIndex.size(); ++i)
    failures.push_back({failedIndex[i], failedId[i], failedSource[i], failedReason[i]});
}

void writeHeader(hid_t file, const StoreHeader& header, const std::filesystem::path& path) {
  h5::writeAttribute(file, "store_format", std::string(kStoreFormat), path);
  h5::writeAttribute(file, "store_version", kStoreVersion, path);
  h5::writeAttribute(file, "mel_dtype", std::string(toString(header.dtype)), path);
  for (const auto& [key, value] : header.attributes) {
    if (key == "store_format" || key == "store_version" || key == "mel_dtype")
      throw Error("feature store attribute name " + key + " is reserved");
    h5::writeAttribute(file, key, value, path);
  }
}

StoreHeader readHeader(hid_t file, const std::filesystem::path& path) {
  if (H5Aexists(file, "store_format") <= 0 ||
      h5::readStringAttribute(file, "store_format", path) != kStoreFormat)
    throw InputError(path.string() + " is not a chorus feature store (no store_format attribute)");
  int64_t version = h5::readIntAttribute(file, "store_version", path);
  if (version != kStoreVersion)
    throw InputError(path.string() + " is feature store version " + std::to_string(version) + "; this chorus reads " +
                     std::to_string(kStoreVersion));
  StoreHeader header;
  header.dtype = melDtypeFromString(h5::readStringAttribute(file, "mel_dtype", path));
  for (const auto& name : h5::attributeNames(file, path)) {
    if (name == "store_format" || name == "store_version" || name == "mel_dtype") continue;
    if (h5::isStringAttribute(file, name, path)) header.attributes[name] = h5::readStringAttribute(file, name, path);
  }
  h5::Handle mel(h5::check(H5Dopen2(file, "mel", H5P_DEFAULT), "H5Dopen2 mel", path));
  h5::Handle space(h5::check(H5Dget_space(mel), "H5Dget_space", path));
  hsize_t dims[2] = {0, 0};
  if (H5Sget_simple_extent_ndims(space) != 2) throw InputError(path.string() + ": mel is not two-dimensional");
  H5Sget_simple_extent_dims(space, dims, nullptr);
  header.nMels = static_cast<int>(dims[1]);
  return header;
}

}  // namespace chorus::store

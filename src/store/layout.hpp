// What a feature store holds (DESIGN.md "Feature store"). A part file and a set's master file share
// one layout, so one reader opens either; h5py sees, at the root:
//   mel                 [total_frames, n_mels] float16 | float32 dB, chunked (master: a virtual
//                       dataset over the parts, in item order)
//   item_id, source_file                         [items] UTF-8 strings
//   item_index                                   [items] int64, position in the set's item order
//   frame_offset, frame_count                    [items] int64, rows of `mel`
//   source_sample_rate, source_channels          [items] int32, from the audio file
//   duration                                     [items] float64 seconds of decoded audio
//   energy_peak_frame, energy_peak_after_lead    [items] int64, energy-profile frames (-1: not analysed)
//   lead_end                                     [items] float64 seconds where usable audio starts
//   vad_offset [items] int64, vad_count [items] int32 -> rows of vad_segments [k, 2] (start, end s)
//                                                and vad_kind [k] int8 (0 voice, 1 silence)
//   failed_item_index, failed_item_id, failed_source, failed_reason   items that could not be read
// and string attributes: the feature parameters the stage passes in, plus store_format,
// store_version, mel_dtype.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chorus::store {

enum class MelDtype { Float16, Float32 };
const char* toString(MelDtype dtype);
MelDtype melDtypeFromString(const std::string& text);  // "float16" | "float32"; UsageError otherwise

struct VadSegment {
  double start = 0, end = 0;  // seconds
  int8_t kind = 0;            // 0 voice, 1 silence (audio::LeadKind order)
};

struct StoreItem {
  std::string id;      // unique within the set, e.g. "1139490/CSA36385.ogg" or a soundscape's file name
  std::string source;  // path relative to the data folder
  int64_t index = 0;   // position in the set's item order
  int64_t frameOffset = 0, frameCount = 0;  // rows of `mel` (set by the writer)
  int32_t sourceSampleRate = 0, sourceChannels = 0;
  double duration = 0;
  int64_t energyPeakFrame = -1, energyPeakAfterLead = -1;
  double leadEnd = 0;
  std::vector<VadSegment> vad;
};

struct StoreFailure {
  int64_t index = 0;  // position in the set's item order
  std::string id, source, reason;
};

inline constexpr const char* kStoreFormat = "chorus-feature-store";
inline constexpr int64_t kStoreVersion = 1;

}  // namespace chorus::store

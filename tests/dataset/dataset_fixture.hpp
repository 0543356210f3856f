// Small feature stores and meta tables for the dataset tests, written with the store layer's real
// writer (an HDF5 part file, which FeatureStore opens like a master) and plain CSV files in prep's
// layout. Cell values say where they came from: cellDb(item, frame, mel) is unique per cell.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "audio/mel_options.hpp"
#include "store/feature_store.hpp"
#include "store/part_writer.hpp"

namespace chorus::testing {

struct ItemSpec {
  std::string id;
  int64_t frames = 0;
  int64_t peak = -1, peakAfterLead = -1;  // the store's energy index (-1: none)
  double leadEnd = 0;
  std::vector<store::VadSegment> vad;
  int64_t loudFrame = -1;  // >= 0: a call, +40 dB here falling 5 dB a frame to +20 dB 4 frames away
  int64_t voiceUntil = -1; // >= 0: frames [0, voiceUntil) +50 dB (an announcement louder than the call)

  ItemSpec(std::string id_, int64_t frames_, int64_t peak_ = -1, int64_t peakAfterLead_ = -1, double leadEnd_ = 0,
           std::vector<store::VadSegment> vad_ = {}, int64_t loudFrame_ = -1, int64_t voiceUntil_ = -1)
      : id(std::move(id_)), frames(frames_), peak(peak_), peakAfterLead(peakAfterLead_), leadEnd(leadEnd_),
        vad(std::move(vad_)), loudFrame(loudFrame_), voiceUntil(voiceUntil_) {}
};

// -60 dB background with a gentle slope over mels and frames: every cell of every item differs.
inline float cellDb(size_t item, int64_t frame, int mel) {
  return float(-60.0 + 0.5 * double(item) + 0.01 * double(frame % 1000) + 0.001 * mel);
}

inline float specDb(const ItemSpec& spec, size_t item, int64_t t, int m) {
  float v = cellDb(item, t, m);
  if (spec.loudFrame >= 0 && std::llabs(t - spec.loudFrame) <= 4) v += float(40 - 5 * std::llabs(t - spec.loudFrame));
  if (spec.voiceUntil >= 0 && t < spec.voiceUntil) v += 50;
  return v;
}

inline std::filesystem::path writeStore(const std::filesystem::path& file, const std::vector<ItemSpec>& specs,
                                        int mels = 128) {
  std::filesystem::create_directories(file.parent_path());
  store::PartOptions options;
  options.nMels = mels;
  options.dtype = store::MelDtype::Float32;
  audio::MelOptions mel;
  mel.nMels = mels;
  options.attributes = mel.describe();
  store::PartWriter writer(file, options);
  for (size_t i = 0; i < specs.size(); ++i) {
    const ItemSpec& s = specs[i];
    std::vector<float> frames(size_t(s.frames) * size_t(mels));
    for (int64_t t = 0; t < s.frames; ++t)
      for (int m = 0; m < mels; ++m) frames[size_t(t) * size_t(mels) + size_t(m)] = specDb(s, i, t, m);
    store::StoreItem item;
    item.id = s.id;
    item.source = "train_audio/" + s.id;
    item.index = int64_t(i);
    item.duration = double(s.frames) / 62.5;
    item.energyPeakFrame = s.peak;
    item.energyPeakAfterLead = s.peakAfterLead;
    item.leadEnd = s.leadEnd;
    item.vad = s.vad;
    writer.append(item, frames.data(), s.frames);
  }
  writer.commit();
  return file;
}

inline void writeText(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// WORK/meta as prep writes it: species a, b, c, d (d rare); clips in folds 0 and 1; soundscape
// windows of two recordings, s1 in fold 0 and s2 in fold 1.
inline void writeMeta(const std::filesystem::path& work) {
  const auto meta = work / "meta";
  writeText(meta / "species_list.csv",
            "index,primary_label,inat_taxon_id,scientific_name,common_name,class_name,train_clips,secondary_clips,"
            "soundscape_windows\n0,a,,,,Aves,2,0,1\n1,b,,,,Aves,1,1,1\n2,c,,,,Aves,1,0,0\n3,d,,,,Aves,1,0,0\n");
  writeText(meta / "rare_species.csv",
            "index,primary_label,inat_taxon_id,scientific_name,common_name,class_name,train_clips,secondary_clips,"
            "soundscape_windows\n3,d,,,,Aves,1,0,0\n");
  writeText(meta / "train_cleaned_stratified.csv",
            "primary_label,secondary_labels,filename,rating,fold\n"
            "a,\"['b']\",a/long.ogg,4.0,0\n"        // line 2
            "b,[],b/short.ogg,3.5,1\n"              // line 3
            "c,\"['a', 'zz']\",c/lead.ogg,4.5,0\n"  // line 4: zz is not a species
            "d,[],d/rare.ogg,5.0,1\n"               // line 5
            "a,[],a/gone.ogg,4.0,1\n"               // line 6: not in the store
            "a,[],a/nopeak.ogg,4.0,0\n");           // line 7
  writeText(meta / "soundscape_labels_with_folds.csv",
            "filename,start,end,primary_label,start_s,end_s,fold\n"
            "s1.ogg,00:00:05,00:00:10,a;b,5,10,0\n"
            "s1.ogg,00:00:10,00:00:15,c,10,15,0\n"
            "s2.ogg,00:00:00,00:00:05,d,0,5,1\n");
}

// The stores writeMeta's tables refer to: WORK/features/train_audio.h5 and train_soundscapes.h5.
inline void writeStores(const std::filesystem::path& work) {
  writeStore(work / "features" / "train_audio.h5",
             {{"a/long.ogg", 1250, 900, 900, 0, {}, 900},  // 20 s, a call at 14.4 s
              {"b/short.ogg", 150},                        // 2.4 s: shorter than a window
              {"c/lead.ogg", 1000, 40, 700, 4.0, {{0, 4.0, 0}}, 700, 250},  // voice 0-4 s, call at 11.2 s
              {"d/rare.ogg", 400, 200, 200},
              {"a/nopeak.ogg", 800, -1, -1, 0, {}, 600}});  // no energy index: recomputed from the mel
  // s1: 60 s (labelled 5-15 s), s2: 30 s (labelled 0-5 s), s3: 20 s, never labelled; centred
  // frames: 1 + seconds * 32000 / 512 of them.
  writeStore(work / "features" / "train_soundscapes.h5", {{"s1.ogg", 3751}, {"s2.ogg", 1876}, {"s3.ogg", 1251}});
}

}  // namespace chorus::testing

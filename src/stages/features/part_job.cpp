#include "stages/features/part_job.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "audio/decode.hpp"
#include "audio/vad.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace chorus::stages::features {

ItemFeatures computeItem(const SetItem& item, size_t index, const PartJob& job) {
  if (!item.problem.empty()) throw InputError(item.problem);
  const audio::MelOptions& mel = job.logmel->options();
  audio::Audio audio = audio::loadAudio(job.data / item.source, mel.sampleRate);
  const float* samples = audio.samples.data();
  const size_t n = audio.samples.size();

  ItemFeatures out;
  out.mel = job.logmel->compute(samples, n);
  out.frames = int64_t(out.mel.size() / size_t(mel.nMels));
  store::StoreItem& s = out.item;
  s.id = item.id;
  s.source = item.source;
  s.index = int64_t(index);
  s.sourceSampleRate = audio.sourceRate;
  s.sourceChannels = audio.sourceChannels;
  s.duration = audio.seconds();
  if (job.clipAnalysis) {  // otherwise the index says "none": peak -1, no segments
    for (const auto& segment : audio::findLeadingSegments(samples, n, audio.sampleRate))
      s.vad.push_back({segment.start, segment.end, int8_t(segment.kind == audio::LeadKind::Voice ? 0 : 1)});
    if (!s.vad.empty()) s.leadEnd = s.vad.back().end;
    audio::EnergyProfile energy = audio::energyProfile(samples, n, audio.sampleRate, job.energy);
    s.energyPeakFrame = energy.peakFrame;
    s.energyPeakAfterLead = energy.peakFrameFrom(s.leadEnd);
  }
  return out;
}

PartResult writePart(const PartPlan& part, const std::vector<SetItem>& items, const PartJob& job,
                     const std::function<void(double)>& itemDone) {
  const auto start = std::chrono::steady_clock::now();
  store::PartOptions options = job.store;
  options.attributes[kPartHashAttribute] = part.hash;
  options.attributes["part_first_item"] = std::to_string(part.begin);
  options.attributes["part_item_count"] = std::to_string(part.end - part.begin);
  store::PartWriter writer(part.path, options);
  PartResult result;
  for (size_t i = part.begin; i < part.end; ++i) {
    ItemFeatures features;
    try {
      features = computeItem(items[i], i, job);
    } catch (const std::exception& e) {  // this file only: name it, record it, go on
      CHORUS_LOG(Warn) << "item " << i << " (" << items[i].source << ") failed: " << e.what();
      writer.addFailure({int64_t(i), items[i].id, items[i].source, e.what()});
      ++result.failed;
      continue;
    }
    const double seconds = features.item.duration;
    writer.append(std::move(features.item), features.mel.data(), features.frames);
    ++result.items;
    result.frames += features.frames;
    result.audioSeconds += seconds;
    if (itemDone) itemDone(seconds);
  }
  writer.commit();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHORUS_LOG(Info) << part.path.filename().string() << ": items " << part.begin << ".." << part.end - 1 << ", "
                   << result.items << " stored, " << result.failed << " failed, " << result.audioSeconds
                   << " audio-s in " << took << " s";
  return result;
}

PartResult decodePart(const PartPlan& part, const std::vector<SetItem>& items, const PartJob& job) {
  PartResult result;
  for (size_t i = part.begin; i < part.end; ++i) {
    try {
      audio::Audio audio = audio::loadAudio(job.data / items[i].source, job.logmel->options().sampleRate);
      result.audioSeconds += audio.seconds();
      ++result.items;
    } catch (const Error&) {
      ++result.failed;
    }
  }
  return result;
}

}  // namespace chorus::stages::features

namespace chorus::stages::features {

}  // namespace chorus::stages::features

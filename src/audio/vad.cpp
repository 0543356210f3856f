// Leading voice/silence detection. Per frame: level, share of energy below voiceBandMax, and a
// harmonicity score (how far the harmonics of the best f0 in [f0Min, f0Max] stand above the valleys
// between them). Voice = runs of harmonic, low-band frames that are clearly harmonic overall (rejects
// frogs and pulsed calls that just pass the frame test) and whose low-band envelope fluctuates at the
// syllable rate, 2-8 Hz (rejects steady harmonic hum: mains, engines). Thresholds were set on
// synthetic voice, espeak-ng speech and the real recordings in ../shared/real_audio (see vad_test).
#include "audio/vad.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "audio/stft.hpp"
#include "core/error.hpp"

namespace chorus::audio {
namespace {

struct Frames {
  double rate = 0;  // frames per second
  std::vector<float> levelDb, lowShare, harmonicDb, lowAmplitude;
};

// Median over harmonics h (h*f0 below the band edge, at most 10) of the harmonic's level minus the
// mean level of the two half-way valleys; the best f0. levels[k] = dB of the 3-bin mean power at k
// (averaging keeps noise unbiased: harmonic and valley are measured the same way).
float harmonicContrast(const std::vector<float>& levels, double binHz, const VadOptions& o) {
  const int last = static_cast<int>(levels.size()) - 1;
  auto at = [&](double hz) { return levels[std::min<long>(last, std::lround(hz / binHz))]; };
  float best = 0;
  std::vector<float> d;
  for (double f0 = o.f0Min; f0 <= o.f0Max; f0 += 1.0) {
    d.clear();
    for (int h = 1; h <= 10 && (h + 0.5) * f0 < o.voiceBandMax; ++h)
      d.push_back(at(h * f0) - 0.5f * (at((h - 0.5) * f0) + at((h + 0.5) * f0)));
    if (d.size() < 3) continue;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    best = std::max(best, d[d.size() / 2]);
  }
  return best;
}

Frames analyse(const float* x, size_t n, int sampleRate, const VadOptions& o) {
  int nFft = 2;
  while (nFft < o.frameSeconds * sampleRate) nFft *= 2;
  const int hop = std::max(1, static_cast<int>(std::lround(o.hopSeconds * sampleRate)));
  const Stft stft(nFft, hop, /*center=*/true, PadMode::Zero);
  const double binHz = double(sampleRate) / nFft;
  const int lowBin = static_cast<int>(std::ceil(60.0 / binHz));  // below 60 Hz: rumble and DC
  const int bandBin = std::min(stft.bins(), static_cast<int>(std::ceil(o.voiceBandMax / binHz)));

  Frames f;
  f.rate = double(sampleRate) / hop;
  std::vector<float> levels(static_cast<size_t>(std::min(stft.bins(), bandBin + 1)));
  const auto leadFrames = static_cast<int64_t>(o.maxLeadSeconds * f.rate);
  stft.forEachFrame(x, n, [&](int64_t t, const float* p) {
    double all = 0, low = 0;
    for (int k = lowBin; k < stft.bins(); ++k) (k < bandBin ? low : all) += p[k];
    all += low;
    f.levelDb.push_back(static_cast<float>(10.0 * std::log10(all + 1e-20)));
    f.lowShare.push_back(all > 0 ? static_cast<float>(low / all) : 0.0f);
    f.lowAmplitude.push_back(static_cast<float>(std::sqrt(low)));
    // The f0 search is most of the cost: only where a voiced frame is still possible.
    float contrast = 0;
    if (t < leadFrames && f.lowShare.back() >= o.lowBandShare) {
      for (int k = 0; k < bandBin + 1 && k < stft.bins(); ++k) {
        const double mean3 = (p[std::max(0, k - 1)] + p[k] + p[std::min(stft.bins() - 1, k + 1)]) / 3.0;
        levels[k] = static_cast<float>(10.0 * std::log10(mean3 + 1e-20));
      }
      contrast = harmonicContrast(levels, binHz, o);
    }
    f.harmonicDb.push_back(contrast);
  });
  return f;
}

using Run = std::pair<int64_t, int64_t>;  // frames [first, end)

// Runs of `mask`: stretches shorter than `minStretch` frames ignored (isolated noise frames), gaps
// shorter than `bridge` frames closed, runs shorter than `minLength` dropped.
std::vector<Run> runsOf(const std::vector<bool>& mask, int64_t minStretch, int64_t bridge, int64_t minLength) {
  std::vector<Run> runs;
  const auto n = static_cast<int64_t>(mask.size());
  for (int64_t t = 0; t < n;) {
    if (!mask[t]) { ++t; continue; }
    int64_t end = t + 1;
    while (end < n && mask[end]) ++end;
    if (end - t < minStretch) { t = end; continue; }
    if (!runs.empty() && t - runs.back().second < bridge) runs.back().second = end;
    else runs.push_back({t, end});
    t = end;
  }
  runs.erase(std::remove_if(runs.begin(), runs.end(), [&](const Run& r) { return r.second - r.first < minLength; }),
             runs.end());
  return runs;
}

// A voice is clearly harmonic most of the time; a harmonic call that only just passes the frame test
// (frog, dove, pulsed insects) is not.
float medianVoicedContrast(const std::vector<float>& harmonicDb, const std::vector<bool>& voiced, const Run& run) {
  std::vector<float> v;
  for (int64_t t = run.first; t < run.second; ++t)
    if (voiced[t]) v.push_back(harmonicDb[t]);
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Share of the envelope's energy (DC included) in 2-8 Hz: (d^2/2) / (1 + d^2/2) for 1 + d sin(2 pi 4 t).
double syllabicShare(const std::vector<float>& env, const Run& run, double frameRate) {
  const int64_t n = run.second - run.first;
  double total = 0;
  for (int64_t t = run.first; t < run.second; ++t) total += double(env[t]) * env[t];
  if (n < 2 || total <= 0) return 0;
  const double pi = std::acos(-1.0);
  double band = 0;
  for (int64_t j = 1; 2 * j < n; ++j) {
    const double hz = j * frameRate / n;
    if (hz < 2.0 || hz > 8.0) continue;
    double re = 0, im = 0;
    for (int64_t t = 0; t < n; ++t) {
      re += env[run.first + t] * std::cos(2 * pi * j * t / n);
      im -= env[run.first + t] * std::sin(2 * pi * j * t / n);
    }
    band += 2 * (re * re + im * im);  // both halves of the two-sided spectrum
  }
  return band / (n * total);  // Parseval: sum |E_j|^2 = n * sum e^2
}

}  // namespace

std::vector<LeadSegment> findLeadingSegments(const float* samples, size_t n, int sampleRate, const VadOptions& o) {
  if (sampleRate <= 0) throw UsageError("voice detection: sample rate must be positive");
  const Frames f = analyse(samples, n, sampleRate, o);
  const auto count = static_cast<int64_t>(f.levelDb.size());
  if (count == 0) return {};

  std::vector<float> sorted = f.levelDb;
  std::nth_element(sorted.begin(), sorted.begin() + count / 2, sorted.end());
  const float silentBelow = sorted[count / 2] - static_cast<float>(o.silenceBelowMedianDb);

  std::vector<bool> silent(count), voiced(count);
  for (int64_t t = 0; t < count; ++t) {
    silent[t] = f.levelDb[t] < silentBelow;
    voiced[t] = !silent[t] && f.harmonicDb[t] >= o.harmonicContrastDb && f.lowShare[t] >= o.lowBandShare;
  }
  const auto bridge = static_cast<int64_t>(std::lround(o.bridgeSeconds * f.rate));
  const auto minLength = static_cast<int64_t>(std::lround(o.minRunSeconds * f.rate));
  const auto minVoiced = std::max<int64_t>(1, std::lround(o.minVoicedSeconds * f.rate));

  // Every frame labelled: voice run, silence run, or something else (the audio we want to keep).
  enum Label { Other, Voice, Silence };
  std::vector<Label> label(count, Other);
  for (const Run& r : runsOf(silent, 1, bridge, minLength)) std::fill(label.begin() + r.first, label.begin() + r.second, Silence);
  for (const Run& r : runsOf(voiced, minVoiced, bridge, minLength))
    if (medianVoicedContrast(f.harmonicDb, voiced, r) >= o.runHarmonicContrastDb &&
        syllabicShare(f.lowAmplitude, r, f.rate) >= o.modulationShare)
      std::fill(label.begin() + r.first, label.begin() + r.second, Voice);

  // Walk from the start while the audio is voice or silence; a stretch of anything else at least
  // `bridge` long ends the lead. Short stretches between two leading runs go to the earlier run.
  std::vector<LeadSegment> segments;
  const double secondsPerFrame = 1.0 / f.rate;
  int64_t t = 0;
  while (t < count) {
    int64_t other = t;
    while (other < count && label[other] == Other) ++other;
    if (other - t >= bridge || other == count) break;
    const Label kind = label[other];
    int64_t end = other;
    while (end < count && label[end] == kind) ++end;
    const LeadKind leadKind = kind == Voice ? LeadKind::Voice : LeadKind::Silence;
    if (!segments.empty()) segments.back().end = other * secondsPerFrame;  // the short gap joins the earlier run
    if (!segments.empty() && segments.back().kind == leadKind) segments.back().end = end * secondsPerFrame;
    else segments.push_back({segments.empty() ? 0.0 : segments.back().end, end * secondsPerFrame, leadKind});
    t = end;
  }
  const double clipSeconds = double(n) / sampleRate;
  for (LeadSegment& s : segments) s.end = std::min(s.end, clipSeconds);
  return segments;
}

double leadingEnd(const std::vector<LeadSegment>& segments) { return segments.empty() ? 0.0 : segments.back().end; }

const char* toString(LeadKind kind) { return kind == LeadKind::Voice ? "voice" : "silence"; }

}  // namespace chorus::audio

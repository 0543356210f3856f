// Finds what comes before the birds at the start of a training clip: a recordist's spoken
// announcement (common on xeno-canto) or near-silence. The energy crop then starts after it, so a
// 5 s training window labelled with a bird is not a man saying the species name.
#pragma once
#include <cstddef>
#include <vector>

namespace chorus::audio {

enum class LeadKind { Voice, Silence };

struct LeadSegment {
  double start = 0, end = 0;  // seconds, [start, end)
  LeadKind kind = LeadKind::Silence;
};

struct VadOptions {
  double frameSeconds = 0.064;    // analysis window (2048 samples at 32 kHz: 15.6 Hz bins resolve f0 >= 80 Hz)
  double hopSeconds = 0.016;
  double f0Min = 80, f0Max = 300;  // human voice fundamental
  double voiceBandMax = 3000;      // harmonics counted and energy expected below this
  double harmonicContrastDb = 6;   // median harmonic-over-interharmonic level of a voiced frame
  double runHarmonicContrastDb = 10;  // median of that over the voiced frames of a voice run (speech ~14)
  double lowBandShare = 0.6;       // share of 60 Hz..Nyquist energy that a voiced frame has below voiceBandMax
  double modulationShare = 0.15;   // share of the low-band envelope's energy at 2-8 Hz (syllables) in a voice run
  double silenceBelowMedianDb = 30;  // a frame this far under the clip's median frame level is silent
  double minVoicedSeconds = 0.048;  // voiced stretches shorter than this are noise (a vowel lasts longer)
  double bridgeSeconds = 0.35;     // gaps shorter than this inside a run (pauses between syllables) are bridged
  double minRunSeconds = 0.3;      // shorter voice/silence runs are ignored
  double maxLeadSeconds = 30;      // voice is looked for this far into the clip (announcements are short)
};

// The leading voice and silence segments in time order; empty when the clip starts with anything
// else (birds, insects, steady noise). Adjacent segments touch: the last one's end is where the
// usable audio starts.
std::vector<LeadSegment> findLeadingSegments(const float* samples, size_t n, int sampleRate,
                                             const VadOptions& options = {});

// End of the last leading segment, 0 if there is none.
double leadingEnd(const std::vector<LeadSegment>& segments);

const char* toString(LeadKind kind);

}  // namespace chorus::audio

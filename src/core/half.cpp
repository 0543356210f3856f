#include "core/half.hpp"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CHORUS_HAVE_F16C_PATH 1
#endif

namespace chorus {

uint16_t floatToHalf(float value) {
  uint32_t f;
  std::memcpy(&f, &value, sizeof f);
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t absF = f & 0x7fffffffu;
  if (absF >= 0x7f800000u) {  // inf stays inf; NaN stays a quiet NaN
    return static_cast<uint16_t>(sign | 0x7c00u | (absF > 0x7f800000u ? 0x0200u | ((absF >> 13) & 0x3ffu) : 0u));
  }
  if (absF >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504: inf
  const int exponent = static_cast<int>(absF >> 23) - 127;
  if (exponent >= -14) {  // normal half: keep 10 mantissa bits, round the 13 dropped ones
    uint32_t mantissa = absF & 0x7fffffu;
    uint32_t half = (static_cast<uint32_t>(exponent + 15) << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry into the exponent is right
    return static_cast<uint16_t>(sign | half);
  }
  if (exponent < -25) return static_cast<uint16_t>(sign);  // below half the smallest subnormal: zero
  // Subnormal half: value = m * 2^-24; shift the full 24-bit significand into place and round.
  const uint32_t significand = (absF & 0x7fffffu) | 0x800000u;
  const int shift = -exponent - 1;  // 14..24: puts the 2^-24 unit at bit `shift`
  uint32_t half = significand >> shift;
  const uint32_t rest = significand & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
  return static_cast<uint16_t>(sign | half);
}

float halfToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu, mantissa = bits & 0x3ffu;
  uint32_t f;
  if (exponent == 0x1fu) {
    f = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    f = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    f = sign;
  } else {  // subnormal: exact in float, m * 2^-24
    float v = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  float out;
  std::memcpy(&out, &f, sizeof out);
  return out;
}

#ifdef CHORUS_HAVE_F16C_PATH
namespace {

// The F16C instructions do the same IEEE conversion (round to nearest, ties to even; subnormals,
// infinities and NaN kept) eight values at a time: a minute of log-mel (480k values) in a fraction
// of a millisecond instead of several. Used where the CPU has them (every x86-64 since ~2012).
__attribute__((target("avx,f16c"))) void floatsToHalvesF16c(const float* in, size_t n, uint16_t* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = floatToHalf(in[i]);
}

__attribute__((target("avx,f16c"))) void halvesToFloatsF16c(const uint16_t* in, size_t n, float* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  for (; i < n; ++i) out[i] = halfToFloat(in[i]);
}

bool haveF16c() {
  static const bool yes = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  return yes;
}

}  // namespace
#endif

void floatsToHalves(const float* in, size_t n, uint16_t* out) {
#ifdef CHORUS_HAVE_F16C_PATH
  if (haveF16c()) return floatsToHalvesF16c(in, n, out);
#endif
  for (size_t i = 0; i < n; ++i) out[i] = floatToHalf(in[i]);
}

void halvesToFloats(const uint16_t* in, size_t n, float* out) {
#ifdef CHORUS_HAVE_F16C_PATH
  if (haveF16c()) return halvesToFloatsF16c(in, n, out);
#endif
  for (size_t i = 0; i < n; ++i) out[i] = halfToFloat(in[i]);
}

}  // namespace chorus

// IEEE 754 binary16 ("half", numpy's float16) conversion (the feature stores, safetensors weights). We convert in our
// own code rather than letting HDF5 do it: HDF5 1.10's soft float conversion is slow, and doing it
// here makes the stored bits exactly numpy's `astype(np.float16)` (round to nearest, ties to even).
#pragma once
#include <cstddef>
#include <cstdint>

namespace chorus {

uint16_t floatToHalf(float value);
float halfToFloat(uint16_t bits);

// Bulk forms: the same results, with the CPU's F16C instructions where it has them.
void floatsToHalves(const float* in, size_t n, uint16_t* out);
void halvesToFloats(const uint16_t* in, size_t n, float* out);

}  // namespace chorus

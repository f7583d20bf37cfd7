// Moving samples between DICOM native frames (8/16-bit little-endian words, interleaved or
// planar, bits above Bits Stored undefined) and what a codec library reads or writes: 1 or 2 bytes
// per sample, interleaved or planar, the stored bits only. Shared by the CharLS and libjpeg paths.
#pragma once

#include <cstdint>
#include <cstring>

#include "codec.h"

namespace hnv {

inline uint32_t readWord(const uint8_t* p, uint32_t bytes) {
  return bytes == 1 ? p[0] : static_cast<uint32_t>(p[0] | (p[1] << 8));
}
inline void writeWord(uint8_t* p, uint32_t bytes, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  if (bytes == 2) p[1] = static_cast<uint8_t>(v >> 8);
}

// Index (in samples) of sample i of component c in a frame of n pixels.
inline size_t sampleIndex(size_t i, uint32_t c, uint32_t spp, size_t n, bool planar) {
  return planar ? c * n + i : i * spp + c;
}

// Native frame -> codec samples of `outBytes` each, `bits` low bits kept (unsigned patterns).
inline void toCodecSamples(const uint8_t* px, const FrameParams& p, uint8_t* out, uint32_t outBytes,
                           bool outPlanar, uint32_t bits) {
  const size_t n = static_cast<size_t>(p.rows) * p.columns;
  const uint32_t spp = p.samplesPerPixel;
  const uint32_t inBytes = p.bitsAllocated / 8;
  const bool inPlanar = spp == 3 && p.planarConfiguration == 1;
  const uint32_t mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
  if (inBytes == outBytes && (spp == 1 || inPlanar == outPlanar) && bits == p.bitsAllocated) {
    std::memcpy(out, px, n * spp * inBytes);
    return;
  }
  for (uint32_t c = 0; c < spp; ++c)
    for (size_t i = 0; i < n; ++i)
      writeWord(out + sampleIndex(i, c, spp, n, outPlanar) * outBytes, outBytes,
                readWord(px + sampleIndex(i, c, spp, n, inPlanar) * inBytes, inBytes) & mask);
}

// Codec samples -> native frame in p's layout, canonical: bits above Bits Stored zero, or copies
// of the sign for signed data (PS3.5 8.1.1 leaves them undefined; canonical compares exactly).
inline void fromCodecSamples(const uint8_t* src, uint32_t srcBytes, bool srcPlanar, const FrameParams& p,
                             uint8_t* out) {
  const size_t n = static_cast<size_t>(p.rows) * p.columns;
  const uint32_t spp = p.samplesPerPixel;
  const uint32_t outBytes = p.bitsAllocated / 8;
  const bool outPlanar = spp == 3 && p.planarConfiguration == 1;
  const uint32_t mask = (1u << p.bitsStored) - 1;
  const uint32_t sign = 1u << (p.bitsStored - 1);
  const uint32_t word = outBytes == 1 ? 0xffu : 0xffffu;
  for (uint32_t c = 0; c < spp; ++c)
    for (size_t i = 0; i < n; ++i) {
      uint32_t v = readWord(src + sampleIndex(i, c, spp, n, srcPlanar) * srcBytes, srcBytes) & mask;
      if (p.isSigned && (v & sign)) v = (v | ~mask) & word;
      writeWord(out + sampleIndex(i, c, spp, n, outPlanar) * outBytes, outBytes, v);
    }
}

}  // namespace hnv

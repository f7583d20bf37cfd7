// libFuzzer harness of the addon's decoders (issue 17 item 4). One source, one binary per codec:
// scripts/build-fuzzers.sh compiles it with -DHNV_FUZZ_CODEC=<n> and -fsanitize=fuzzer,address,
// undefined against native/src/*.cc (everything there but addon.cc and framer.cc runs without
// N-API) and the system codec libraries.
//
// Input: an 8-byte frame description, then the compressed frame.
//   0-1 rows (big-endian, 1..kMaxSide), 2-3 columns, 4 bitsAllocated (8 or 16), 5 bitsStored,
//   6 samplesPerPixel, 7 flags: bit 0 signed, bit 1 planar, bits 4-5 colour transform (JPEG 8-bit).
// The property, as the addon sees it (src/addon.cc runSync): a decoder returns a frame of exactly
// the size the description gives, or throws hnv::CodecError (or std::bad_alloc); anything else,
// another exception type, a sanitizer report, a crash or a hang is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "../src/codec.h"

#ifndef HNV_FUZZ_CODEC
#error "define HNV_FUZZ_CODEC (1 jpegll, 2 jpeg8, 3 jpeg12, 4 jpegls, 5 j2k, 6 htj2k)"
#endif

namespace {
// Frames up to 512 x 512 keep one execution well under a millisecond for most inputs; the
// decoders' own size checks are exercised by the description bytes all the same.
constexpr uint32_t kMaxSide = 512;

hnv::Output decode(const uint8_t* data, size_t size, const hnv::FrameParams& p) {
#if HNV_FUZZ_CODEC == 1
  return hnv::jpegLosslessDecode(data, size, p);
#elif HNV_FUZZ_CODEC == 2
  return hnv::jpegBaselineDecode(data, size, p);
#elif HNV_FUZZ_CODEC == 3
  return hnv::jpeg12Decode(data, size, p);
#elif HNV_FUZZ_CODEC == 4
  return hnv::jpeglsDecode(data, size, p);
#elif HNV_FUZZ_CODEC == 5
  return hnv::j2kDecode(data, size, p);
#elif HNV_FUZZ_CODEC == 6
  return hnv::htj2kDecode(data, size, p);
#else
#error "unknown HNV_FUZZ_CODEC"
#endif
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  hnv::FrameParams p;
  p.rows = (static_cast<uint32_t>(data[0]) << 8) | data[1];
  p.columns = (static_cast<uint32_t>(data[2]) << 8) | data[3];
  if (p.rows > kMaxSide || p.columns > kMaxSide) return -1;  // not added to the corpus
  p.bitsAllocated = data[4];
  p.bitsStored = data[5];
  p.samplesPerPixel = data[6];
  p.isSigned = (data[7] & 1) != 0;
  p.planarConfiguration = (data[7] >> 1) & 1;
  p.colorTransform = (data[7] >> 4) & 3;
  p.threads = 1;
  try {
    hnv::Output out = decode(data + 8, size - 8, p);
    const size_t expected = hnv::checkFrameParams(p);
    if (out.size != expected) {
      std::fprintf(stderr, "decoder returned %zu bytes for a %zu-byte frame\n", out.size, expected);
      std::abort();
    }
  } catch (const hnv::CodecError&) {
  } catch (const std::bad_alloc&) {
  } catch (const std::exception& e) {
    // The addon would answer HNV_ERR_CODEC_INTERNAL: not a crash, but an untyped failure to fix.
    std::fprintf(stderr, "untyped exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "non-standard exception\n");
    std::abort();
  }
  return 0;
}

// JPEG-LS (ISO/IEC 14495-1; DICOM 1.2.840.10008.1.2.4.80 lossless, .81 near-lossless) through the
// system CharLS (Debian libcharls-dev 2.4.1), when CMake found it (HNV_HAVE_CHARLS). Its C ABI is
// used so that no CharLS exception type crosses our boundary.
#include <memory>
#include <string>

#include "codec.h"
#include "samples.h"

#ifdef HNV_HAVE_CHARLS
#include <charls/charls.h>
#endif

namespace hnv {

#ifndef HNV_HAVE_CHARLS

bool haveCharls() { return false; }
const char* charlsVersion() { return ""; }
Output jpeglsEncode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "JPEG-LS: the addon was built without CharLS");
}
Output jpeglsDecode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "JPEG-LS: the addon was built without CharLS");
}

#else

bool haveCharls() { return true; }
const char* charlsVersion() { return charls_get_version_string(); }

namespace {

struct DecoderDeleter {
  void operator()(charls_jpegls_decoder* d) const { charls_jpegls_decoder_destroy(d); }
};
struct EncoderDeleter {
  void operator()(charls_jpegls_encoder* e) const { charls_jpegls_encoder_destroy(e); }
};

void check(charls_jpegls_errc rc, const char* code, const char* what) {
  if (rc == charls::jpegls_errc::success) return;
  if (rc == charls::jpegls_errc::not_enough_memory) throw std::bad_alloc();
  throw CodecError(code, std::string("JPEG-LS: ") + what + ": " + charls_get_error_message(rc));
}

}  // namespace

// Lossless unless p.nearLossless > 0 (the caller has checked that lossy is allowed). Three
// samples are coded sample-interleaved (ISO 14495-1 Annex B ILV=2), no colour transform (DICOM
// PS3.5 A.4.3 forbids the HP transforms).
Output jpeglsEncode(const uint8_t* pixels, size_t length, const FrameParams& p) {
  const size_t frameBytes = checkFrameParams(p);
  if (length < frameBytes) throw CodecError(kErrInvalidArgument, "pixel buffer is shorter than one frame");
  const uint32_t bits = std::max<uint32_t>(2, p.bitsStored);
  if (bits > 16) throw CodecError(kErrUnsupported, "JPEG-LS holds 2–16 bits");
  const uint32_t codecBytes = bits <= 8 ? 1 : 2;
  const size_t n = static_cast<size_t>(p.rows) * p.columns * p.samplesPerPixel;
  std::unique_ptr<uint8_t[], FreeDeleter> samples(static_cast<uint8_t*>(bigAlloc(n * codecBytes)));
  if (!samples) throw std::bad_alloc();
  toCodecSamples(pixels, p, samples.get(), codecBytes, false, bits);

  std::unique_ptr<charls_jpegls_encoder, EncoderDeleter> enc(charls_jpegls_encoder_create());
  if (!enc) throw std::bad_alloc();
  charls_frame_info fi{p.columns, p.rows, static_cast<int32_t>(bits), static_cast<int32_t>(p.samplesPerPixel)};
  check(charls_jpegls_encoder_set_frame_info(enc.get(), &fi), kErrInvalidArgument, "frame");
  check(charls_jpegls_encoder_set_near_lossless(enc.get(), static_cast<int32_t>(p.nearLossless)),
        kErrInvalidArgument, "NEAR");
  check(charls_jpegls_encoder_set_interleave_mode(
            enc.get(), p.samplesPerPixel == 3 ? charls::interleave_mode::sample : charls::interleave_mode::none),
        kErrInvalidArgument, "interleave mode");
  size_t estimate = 0;
  check(charls_jpegls_encoder_get_estimated_destination_size(enc.get(), &estimate), kErrInvalidArgument,
        "size estimate");
  Output out;
  out.reserve(estimate);
  check(charls_jpegls_encoder_set_destination_buffer(enc.get(), out.data, out.capacity), kErrInvalidArgument,
        "destination");
  check(charls_jpegls_encoder_encode_from_buffer(enc.get(), samples.get(), n * codecBytes, 0),
        kErrInvalidArgument, "encoding failed");
  size_t written = 0;
  check(charls_jpegls_encoder_get_bytes_written(enc.get(), &written), kErrInvalidArgument, "bytes written");
  out.size = written;
  return out;
}

Output jpeglsDecode(const uint8_t* data, size_t length, const FrameParams& p) {
  const size_t frameBytes = checkFrameParams(p);
  // CharLS 2.4.1 spends seconds on a truncated stream before failing (7 s of CPU for a 9x7 frame,
  // found by fuzz/codec_fuzzer.cc; lib/jpegls.ts measured 4-5 s for 16x12), so a stream must end
  // with EOI (FFD9, ISO 14495-1 C.1.1), then zero padding or one leftover byte, as lib/jpegls.ts
  // requires before it calls us; the check is repeated here for every other caller.
  size_t end = length;
  while (end > 2 && data[end - 1] == 0) --end;
  const auto eoiAt = [data](size_t at) { return at >= 2 && data[at - 2] == 0xFF && data[at - 1] == 0xD9; };
  if (!eoiAt(end) && length >= 1 && eoiAt(length - 1)) end = length - 1;
  if (!eoiAt(end)) throw CodecError(kErrCorrupt, "JPEG-LS: the stream is truncated (no EOI marker)");
  length = end;
  std::unique_ptr<charls_jpegls_decoder, DecoderDeleter> dec(charls_jpegls_decoder_create());
  if (!dec) throw std::bad_alloc();
  check(charls_jpegls_decoder_set_source_buffer(dec.get(), data, length), kErrCorrupt, "source");
  check(charls_jpegls_decoder_read_header(dec.get()), kErrCorrupt, "bad header");
  charls_frame_info fi{};
  check(charls_jpegls_decoder_get_frame_info(dec.get(), &fi), kErrCorrupt, "frame info");
  if (fi.width != p.columns || fi.height != p.rows)
    throw CodecError(kErrCorrupt, "JPEG-LS: image size does not match rows/columns");
  if (static_cast<uint32_t>(fi.component_count) != p.samplesPerPixel)
    throw CodecError(kErrCorrupt, "JPEG-LS: component count does not match samplesPerPixel");
  if (fi.bits_per_sample < 2 || static_cast<uint32_t>(fi.bits_per_sample) > p.bitsAllocated)
    throw CodecError(kErrCorrupt, "JPEG-LS: sample precision exceeds bitsAllocated");
  charls_interleave_mode mode = charls::interleave_mode::none;
  check(charls_jpegls_decoder_get_interleave_mode(dec.get(), &mode), kErrCorrupt, "interleave mode");
  size_t size = 0;
  check(charls_jpegls_decoder_get_destination_size(dec.get(), 0, &size), kErrCorrupt, "destination size");
  const uint32_t codecBytes = fi.bits_per_sample <= 8 ? 1 : 2;
  const size_t samples = static_cast<size_t>(p.rows) * p.columns * p.samplesPerPixel;
  if (size != samples * codecBytes) throw CodecError(kErrCorrupt, "JPEG-LS: decoded size does not match the frame");
  // CharLS returns planes for ILV=0 and pixel-interleaved samples for ILV=1 and 2.
  const bool planar = p.samplesPerPixel == 3 && mode == charls::interleave_mode::none;
  const bool direct = codecBytes == p.bitsAllocated / 8 &&
                      (p.samplesPerPixel == 1 || planar == (p.planarConfiguration == 1)) &&
                      (p.bitsStored == static_cast<uint32_t>(fi.bits_per_sample) && !p.isSigned);
  Output out;
  out.reserve(frameBytes);
  out.size = frameBytes;
  if (direct) {
    check(charls_jpegls_decoder_decode_to_buffer(dec.get(), out.data, frameBytes, 0), kErrCorrupt,
          "decoding failed");
    return out;
  }
  std::unique_ptr<uint8_t[], FreeDeleter> tmp(static_cast<uint8_t*>(bigAlloc(size)));
  if (!tmp) throw std::bad_alloc();
  check(charls_jpegls_decoder_decode_to_buffer(dec.get(), tmp.get(), size, 0), kErrCorrupt, "decoding failed");
  fromCodecSamples(tmp.get(), codecBytes, planar, p, out.data);
  return out;
}

#endif

}  // namespace hnv

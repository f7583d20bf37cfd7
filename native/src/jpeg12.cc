// JPEG extended 12-bit (ITU-T T.81 Process 4: sequential DCT, Huffman, 12-bit precision; DICOM
// 1.2.840.10008.1.2.4.51) through GDCM's 12-bit IJG build (Debian libgdcm-dev: headers in
// /usr/include/gdcm-3.0/gdcmjpeg/12, library libgdcmjpeg12, every symbol prefixed gdcmjpeg12_),
// when CMake found it (HNV_HAVE_JPEG12). README "JPEG 12-bit" says why this one. It is IJG 6b with
// the lossless patch, the same code DCMTK's libijg12 (dcmdjpeg) is built from, so with the same
// IDCT (JDCT_ISLOW) both decode a stream to the same samples.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "codec.h"
#include "samples.h"

#ifdef HNV_HAVE_JPEG12
// The library's types live in a namespace of their own so they cannot clash with libjpeg-turbo's
// (src/jpeg8.cc, same struct names, 8-bit layout); the functions keep their C names
// (gdcmjpeg12_*, through the header's mangle_jpeg12bits.h).
namespace ijg12 {
extern "C" {
#include <gdcmjpeg/12/jpeglib.h>
}
}  // namespace ijg12
#endif

namespace hnv {

#ifndef HNV_HAVE_JPEG12

bool haveJpeg12() { return false; }
Output jpeg12Encode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "JPEG 12-bit: the addon was built without GDCM's libgdcmjpeg12");
}
Output jpeg12Decode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "JPEG 12-bit: the addon was built without GDCM's libgdcmjpeg12");
}

#else

bool haveJpeg12() { return true; }

namespace {

using namespace ijg12;

// As in src/jpeg8.cc: error_exit must not return, so longjmp back to the call site (no C++ object
// with a destructor lives between setjmp and the library calls).
struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void onErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Any corrupt-data warning means invented pixels: fatal for a transcoder.
void onEmitMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  onErrorExit(cinfo);
}

void fail(j_common_ptr cinfo, const char* why) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  std::snprintf(err->message, sizeof err->message, "%s", why);
  std::longjmp(err->jump, 1);
}

// IJG 6b has no jpeg_mem_src/jpeg_mem_dest (they arrived in IJG 8): a source over the whole
// fragment, and a growing malloc'd destination.
void initSource(j_decompress_ptr) {}
boolean fillInput(j_decompress_ptr cinfo) {
  fail(reinterpret_cast<j_common_ptr>(cinfo), "the stream ends before its EOI marker");
  return FALSE;
}
void skipInput(j_decompress_ptr cinfo, long count) {
  if (count <= 0) return;
  if (static_cast<size_t>(count) > cinfo->src->bytes_in_buffer) fillInput(cinfo);
  cinfo->src->next_input_byte += count;
  cinfo->src->bytes_in_buffer -= static_cast<size_t>(count);
}
void termSource(j_decompress_ptr) {}

struct Destination {
  jpeg_destination_mgr pub;
  JOCTET* buffer;
  size_t capacity;
};
void initDestination(j_compress_ptr) {}
boolean emptyOutput(j_compress_ptr cinfo) {
  auto* d = reinterpret_cast<Destination*>(cinfo->dest);
  // Called only when the whole buffer is full (libjpeg's contract): double it.
  const size_t next = d->capacity * 2;
  auto* p = static_cast<JOCTET*>(std::realloc(d->buffer, next));
  if (p == nullptr) fail(reinterpret_cast<j_common_ptr>(cinfo), "out of memory");
  d->buffer = p;
  d->pub.next_output_byte = p + d->capacity;
  d->pub.free_in_buffer = next - d->capacity;
  d->capacity = next;
  return TRUE;
}
void termDestination(j_compress_ptr) {}

// IJG 6b trusts the component lists: a frame (SOF) or scan (SOS) naming one component twice leaves
// another never decoded, and its garbage samples index the colour converter's range tables out of
// bounds (a SEGV inside gdcmjpeg12_jpeg_read_scanlines, found by fuzz/codec_fuzzer.cc, input in
// test/fixtures/fuzz/; libjpeg-turbo checks this since 1.5). Walks the marker segments (ITU-T T.81
// B.2: SOI, segments with their lengths, after each SOS the entropy-coded data up to the next
// marker that is not RSTn or a stuffed 0xFF00) and refuses duplicates, as libjpeg-turbo does.
void checkComponentLists(const uint8_t* data, size_t length) {
  const auto duplicate = [](const uint8_t* ids, size_t count, size_t stride) {
    bool seen[256] = {};
    for (size_t i = 0; i < count; ++i) {
      if (seen[ids[i * stride]]) return true;
      seen[ids[i * stride]] = true;
    }
    return false;
  };
  size_t at = 2;  // after SOI; the library reports a missing one
  while (at + 4 <= length) {
    if (data[at] != 0xFF) break;  // the library reports what is not a marker
    const uint8_t m = data[at + 1];
    if (m == 0xFF) {  // fill byte (B.1.1.2)
      ++at;
      continue;
    }
    if (m == 0xD9) break;  // EOI
    if (m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) {
      at += 2;
      continue;
    }
    const size_t n = (static_cast<size_t>(data[at + 2]) << 8) | data[at + 3];
    if (n < 2 || at + 2 + n > length) break;
    const uint8_t* body = data + at + 4;
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof && n >= 8 && 8 + 3 * static_cast<size_t>(body[5]) <= n && duplicate(body + 6, body[5], 3))
      throw CodecError(kErrCorrupt, "JPEG 12-bit: the frame header lists a component twice");
    at += 2 + n;
    if (m != 0xDA) continue;
    if (n >= 3 && 3 + 2 * static_cast<size_t>(body[0]) <= n && duplicate(body + 1, body[0], 2))
      throw CodecError(kErrCorrupt, "JPEG 12-bit: a scan header lists a component twice");
    while (at + 1 < length && !(data[at] == 0xFF && data[at + 1] != 0 && (data[at + 1] < 0xD0 || data[at + 1] > 0xD7)))
      ++at;
  }
}

}  // namespace

// 12-bit samples, 1 or 3 components; p.colorTransform as in jpeg8.cc (1 YCbCr, 2 RGB, 0 the
// stream's markers). Three samples come back RGB, the caller's planar layout.
Output jpeg12Decode(const uint8_t* data, size_t length, const FrameParams& p) {
  const size_t frameBytes = checkFrameParams(p);
  if (p.bitsAllocated != 16) throw CodecError(kErrInvalidArgument, "JPEG 12-bit decodes into 16 bits allocated");
  checkComponentLists(data, length);
  Output out;
  out.reserve(frameBytes);
  out.size = frameBytes;
  const size_t n = static_cast<size_t>(p.rows) * p.columns * p.samplesPerPixel;
  // JSAMPLE is a native short holding 0..4095: on a little-endian host, an unsigned frame of at
  // least 12 bits stored, interleaved, is already its canonical native layout; decode in place.
  static_assert(sizeof(JSAMPLE) == 2, "12-bit IJG build expected");
  const bool direct = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !p.isSigned && p.bitsStored >= 12 &&
                      (p.samplesPerPixel == 1 || p.planarConfiguration == 0);
  std::unique_ptr<uint8_t[], FreeDeleter> tmp;
  if (!direct) {
    tmp.reset(static_cast<uint8_t*>(bigAlloc(n * sizeof(JSAMPLE))));
    if (!tmp) throw std::bad_alloc();
  }
  auto* target = reinterpret_cast<JSAMPLE*>(direct ? out.data : tmp.get());

  jpeg_decompress_struct cinfo;
  ErrorManager err{};
  jpeg_source_mgr src{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = onErrorExit;
  err.pub.emit_message = onEmitMessage;
  const char* failure = nullptr;
  const char* failureCode = kErrCorrupt;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw CodecError(kErrCorrupt, std::string("JPEG 12-bit: ") + err.message);
  }
  jpeg_create_decompress(&cinfo);
  src.next_input_byte = data;
  src.bytes_in_buffer = length;
  src.init_source = initSource;
  src.fill_input_buffer = fillInput;
  src.skip_input_data = skipInput;
  src.resync_to_restart = jpeg_resync_to_restart;
  src.term_source = termSource;
  cinfo.src = &src;
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width != p.columns || cinfo.image_height != p.rows)
    failure = "JPEG 12-bit: image size does not match rows/columns";
  else if (static_cast<uint32_t>(cinfo.num_components) != p.samplesPerPixel)
    failure = "JPEG 12-bit: component count does not match samplesPerPixel";
  else if (cinfo.data_precision != 12 || cinfo.process != JPROC_SEQUENTIAL) {
    // A progressive (or hierarchical) 12-bit stream is not Process 4: PS3.5 A.4.1, .51 only.
    failure = "JPEG 12-bit: not a 12-bit sequential DCT stream (Process 4)";
    failureCode = kErrUnsupported;
  }
  if (failure == nullptr) {
    if (p.samplesPerPixel == 3) {
      if (p.colorTransform == 1) cinfo.jpeg_color_space = JCS_YCbCr;
      if (p.colorTransform == 2) cinfo.jpeg_color_space = JCS_RGB;
      cinfo.out_color_space = JCS_RGB;
    } else {
      cinfo.out_color_space = JCS_GRAYSCALE;
    }
    cinfo.dct_method = JDCT_ISLOW;  // IJG's default, which dcmdjpeg keeps: the samples agree exactly
    jpeg_start_decompress(&cinfo);
    const size_t stride = static_cast<size_t>(p.columns) * p.samplesPerPixel;
    while (cinfo.output_scanline < cinfo.output_height) {
      JSAMPROW row = target + cinfo.output_scanline * stride;
      jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
  }
  jpeg_destroy_decompress(&cinfo);
  if (failure != nullptr) throw CodecError(failureCode, failure);
  if (direct) return out;
  // As little-endian words, then into p's layout.
  for (size_t i = 0; i < n; ++i) writeWord(tmp.get() + 2 * i, 2, static_cast<uint16_t>(target[i]));
  FrameParams dst = p;
  dst.bitsStored = std::min<uint32_t>(p.bitsStored, 12);
  fromCodecSamples(tmp.get(), 2, false, dst, out.data);
  return out;
}

// Process 4: extended sequential DCT, Huffman, 12-bit precision, 4:4:4, quality p.quality. The
// caller has checked that lossy is allowed and that the image is unsigned, 16 bits allocated and
// at most 12 stored.
Output jpeg12Encode(const uint8_t* pixels, size_t length, const FrameParams& p) {
  const size_t frameBytes = checkFrameParams(p);
  if (length < frameBytes) throw CodecError(kErrInvalidArgument, "pixel buffer is shorter than one frame");
  if (p.bitsAllocated != 16 || p.bitsStored > 12)
    throw CodecError(kErrUnsupported, "JPEG 12-bit holds up to 12 bits in 16 allocated");
  const size_t n = static_cast<size_t>(p.rows) * p.columns * p.samplesPerPixel;
  std::unique_ptr<uint8_t[], FreeDeleter> words(static_cast<uint8_t*>(bigAlloc(n * 2)));
  std::unique_ptr<JSAMPLE[], FreeDeleter> samples(static_cast<JSAMPLE*>(bigAlloc(n * sizeof(JSAMPLE))));
  if (!words || !samples) throw std::bad_alloc();
  toCodecSamples(pixels, p, words.get(), 2, false, p.bitsStored);
  for (size_t i = 0; i < n; ++i) samples[i] = static_cast<JSAMPLE>(readWord(words.get() + 2 * i, 2));
  const JSAMPLE* src = samples.get();

  jpeg_compress_struct cinfo;
  ErrorManager err{};
  Destination dest{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = onErrorExit;
  err.pub.emit_message = onEmitMessage;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    std::free(dest.buffer);
    throw CodecError(kErrInvalidArgument, std::string("JPEG 12-bit: ") + err.message);
  }
  jpeg_create_compress(&cinfo);
  dest.capacity = std::max<size_t>(4096, frameBytes / 2);
  dest.buffer = static_cast<JOCTET*>(std::malloc(dest.capacity));
  if (dest.buffer == nullptr) fail(reinterpret_cast<j_common_ptr>(&cinfo), "out of memory");
  dest.pub.next_output_byte = dest.buffer;
  dest.pub.free_in_buffer = dest.capacity;
  dest.pub.init_destination = initDestination;
  dest.pub.empty_output_buffer = emptyOutput;
  dest.pub.term_destination = termDestination;
  cinfo.dest = &dest.pub;
  cinfo.image_width = p.columns;
  cinfo.image_height = p.rows;
  cinfo.input_components = static_cast<int>(p.samplesPerPixel);
  cinfo.in_color_space = p.samplesPerPixel == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  cinfo.data_precision = 12;
  jpeg_set_quality(&cinfo, static_cast<int>(std::min<uint32_t>(100, std::max<uint32_t>(1, p.quality))), TRUE);
  cinfo.optimize_coding = TRUE;  // T.81 K.2 tables: 12-bit DCT coefficients overflow the Annex K ones
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.write_JFIF_header = FALSE;  // PS3.5 8.2.1: the data set, not JFIF, says what the pixels are
  for (int c = 0; c < cinfo.num_components; ++c) {
    cinfo.comp_info[c].h_samp_factor = 1;
    cinfo.comp_info[c].v_samp_factor = 1;
  }
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = static_cast<size_t>(p.columns) * p.samplesPerPixel;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(src + cinfo.next_scanline * stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  const size_t size = dest.capacity - dest.pub.free_in_buffer;
  jpeg_destroy_compress(&cinfo);
  Output out;
  out.reserve(size);
  std::memcpy(out.data, dest.buffer, size);
  out.size = size;
  std::free(dest.buffer);
  return out;
}

#endif

}  // namespace hnv

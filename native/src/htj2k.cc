// High-Throughput JPEG 2000 (ISO/IEC 15444-15; DICOM 1.2.840.10008.1.2.4.201/.202/.203) through
// the system OpenJPH (Debian libopenjph-dev 0.9.0), when CMake found it (HNV_HAVE_OPENJPH). DICOM
// carries the raw codestream (PS3.5 A.4.4 as for JPEG 2000). OpenJPH 0.9.0 cannot write TLM
// markers or tile-parts per resolution, which .202 requires, so .202 is encoded by the WebAssembly
// build (a newer OpenJPH); this decodes all three.
#include <cstdarg>
#include <cstdio>
#include <string>

#include "codec.h"

#ifdef HNV_HAVE_OPENJPH
#include <openjph/ojph_arch.h>
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>
#include <openjph/ojph_version.h>
#endif

namespace hnv {

#ifndef HNV_HAVE_OPENJPH

bool haveOpenJph() { return false; }
const char* openJphVersion() { return ""; }
Output htj2kEncode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "HTJ2K: the addon was built without OpenJPH");
}
Output htj2kDecode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "HTJ2K: the addon was built without OpenJPH");
}

#else

#define HNV_STR2(x) #x
#define HNV_STR(x) HNV_STR2(x)

bool haveOpenJph() { return true; }
const char* openJphVersion() {
  return HNV_STR(OPENJPH_VERSION_MAJOR) "." HNV_STR(OPENJPH_VERSION_MINOR) "." HNV_STR(OPENJPH_VERSION_PATCH);
}

namespace {

// OpenJPH reports through process-wide handlers; its default error handler prints to stderr and
// throws std::runtime_error. Ours formats the message and throws a CodecError (the library is
// written to unwind from OJPH_ERROR); warnings and infos are dropped. Stateless, so thread-safe.
struct ErrorToException : ojph::message_error {
  void operator()(int code, const char*, int, const char* fmt, ...) override {
    char buf[256];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    throw CodecError(kErrCorrupt, std::string("HTJ2K: ") + buf + " (OpenJPH error 0x" + hex(code) + ")");
  }
  static std::string hex(int v) {
    char b[16];
    std::snprintf(b, sizeof b, "%x", static_cast<unsigned>(v));
    return b;
  }
};
struct Quiet : ojph::message_warning {
  void operator()(int, const char*, int, const char*, ...) override {}
};
struct QuietInfo : ojph::message_info {
  void operator()(int, const char*, int, const char*, ...) override {}
};

void configureMessages() {
  static ErrorToException error;
  static Quiet warning;
  static QuietInfo info;
  static const bool once = [] {
    ojph::configure_error(&error);
    ojph::configure_warning(&warning);
    ojph::configure_info(&info);
    return true;
  }();
  (void)once;
}

uint32_t levelsFor(const FrameParams& p) {
  uint32_t levels = 5;
  while (levels > 0 && ((1u << levels) > p.columns || (1u << levels) > p.rows)) --levels;
  return levels;
}

}  // namespace

// Reversible 5/3 with the reversible colour transform for three samples, RPCL progression,
// 64x64 code blocks: lossless (.201; .203 is encoded the same way).
Output htj2kEncode(const uint8_t* pixels, size_t length, const FrameParams& p) {
  configureMessages();
  const size_t frameBytes = checkFrameParams(p);
  if (length < frameBytes) throw CodecError(kErrInvalidArgument, "pixel buffer is shorter than one frame");
  const uint32_t bits = p.bitsStored;
  const uint32_t spp = p.samplesPerPixel;
  const uint32_t bytes = p.bitsAllocated / 8;
  const size_t n = static_cast<size_t>(p.rows) * p.columns;
  const bool planar = spp == 3 && p.planarConfiguration == 1;
  try {
    ojph::codestream cs;
    ojph::param_siz siz = cs.access_siz();
    siz.set_image_extent(ojph::point(p.columns, p.rows));
    siz.set_num_components(spp);
    for (uint32_t c = 0; c < spp; ++c) siz.set_component(c, ojph::point(1, 1), bits, p.isSigned);
    siz.set_image_offset(ojph::point(0, 0));
    siz.set_tile_size(ojph::size(p.columns, p.rows));
    siz.set_tile_offset(ojph::point(0, 0));
    ojph::param_cod cod = cs.access_cod();
    cod.set_num_decomposition(levelsFor(p));
    cod.set_block_dims(64, 64);
    cod.set_progression_order("RPCL");
    cod.set_color_transform(spp == 3);
    cod.set_reversible(true);
    cs.set_planar(false);
    ojph::mem_outfile file;
    file.open(frameBytes / 2 + 4096);
    cs.write_headers(&file);
    const uint32_t mask = (1u << bits) - 1;
    const uint32_t sign = 1u << (bits - 1);
    uint32_t rowOf[3] = {0, 0, 0};
    ojph::ui32 comp = 0;
    ojph::line_buf* line = cs.exchange(nullptr, comp);
    for (size_t k = 0; k < static_cast<size_t>(p.rows) * spp; ++k) {
      const uint32_t y = rowOf[comp]++;
      ojph::si32* dst = line->i32;
      for (uint32_t x = 0; x < p.columns; ++x) {
        const size_t i = static_cast<size_t>(y) * p.columns + x;
        const uint8_t* s = pixels + (planar ? comp * n + i : i * spp + comp) * bytes;
        uint32_t v = (bytes == 1 ? s[0] : static_cast<uint32_t>(s[0] | (s[1] << 8))) & mask;
        dst[x] = p.isSigned && (v & sign) ? static_cast<ojph::si32>(v) - static_cast<ojph::si32>(mask + 1)
                                          : static_cast<ojph::si32>(v);
      }
      line = cs.exchange(line, comp);
    }
    cs.flush();
    const size_t size = static_cast<size_t>(file.tell());
    Output out;
    out.reserve(size);
    std::memcpy(out.data, file.get_data(), size);
    out.size = size;
    cs.close();
    return out;
  } catch (const CodecError& e) {
    throw CodecError(kErrInvalidArgument, e.what());
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw CodecError(kErrInvalidArgument, std::string("HTJ2K: encoding failed: ") + e.what());
  } catch (...) {
    throw CodecError(kErrInternal, "HTJ2K: encoding failed");
  }
}

namespace {

// OpenJPH 0.9.0 trusts the main header's COD and QCD (found by fuzz/codec_fuzzer.cc, inputs in
// test/fixtures/fuzz/): it asserts (aborting the process) when the QCD quantization style does not
// match the COD wavelet (param_qcd::irrev_get_delta wants scalar expounded, 2, for anything but the
// reversible 5-3 transform; param_qcd::get_Kmax wants no quantization, 0, for 5-3), and asks for
// any amount of memory for code-blocks of 2^67 samples. This reads the main header (ISO/IEC
// 15444-1 A.4-A.6) the way OpenJPH's codestream::read_headers does, so both see the same COD and
// QCD: it scans byte by byte for 0xFF followed by a marker it knows (anything else is skipped two
// bytes at a time, lengths unread), steps over a known segment by its length as OpenJPH does, and
// stops at SOT. What A.6.1 and A.6.4 forbid is refused.
void checkMainHeader(const uint8_t* data, size_t length) {
  size_t at = 0;
  const auto next = [&](auto wanted) -> int {
    while (at < length) {
      if (data[at++] != 0xFF) continue;
      if (at >= length) break;
      const uint8_t m = data[at++];
      if (wanted(m)) return m;
    }
    return -1;
  };
  const auto segment = [&]() -> size_t {  // the length at `at`, 0 when it runs past the end
    if (at + 2 > length) return 0;
    const size_t n = (static_cast<size_t>(data[at]) << 8) | data[at + 1];
    return n < 2 || at + n > length ? 0 : n;
  };
  if (next([](uint8_t m) { return m == 0x4F; }) < 0) throw CodecError(kErrCorrupt, "HTJ2K: no SOC marker");
  if (next([](uint8_t m) { return m == 0x51; }) < 0) throw CodecError(kErrCorrupt, "HTJ2K: no SIZ marker");
  at += segment();  // OpenJPH reports a bad SIZ itself
  // CAP PRF CPF COD COC QCD QCC RGN POC PPM TLM PLM CRG COM, SOT: OpenJPH 0.9.0's main-header list.
  const auto known = [](uint8_t m) {
    switch (m) {
      case 0x50: case 0x56: case 0x59: case 0x52: case 0x53: case 0x5C: case 0x5D: case 0x5E:
      case 0x5F: case 0x60: case 0x55: case 0x57: case 0x63: case 0x64: case 0x90:
        return true;
      default:
        return false;
    }
  };
  int transform = -1;  // A.6.1 Table A.20 SPcod: 0 irreversible 9-7, 1 reversible 5-3
  int style = -1;      // A.6.4 Table A.28 Sqcd & 0x1F: 0 none, 1 scalar derived, 2 scalar expounded
  for (int m = next(known); m >= 0 && m != 0x90; m = next(known)) {
    if (m != 0x52 && m != 0x5C && m != 0x53 && m != 0x5D) {
      // skip_marker seeks by the length; a seek past the end fails and leaves OpenJPH just after
      // the length field, a length below 2 moves it back (mem_infile::seek).
      if (at + 2 > length) break;
      const size_t n = (static_cast<size_t>(data[at]) << 8) | data[at + 1];
      at = n < 2 ? at + n : at + n <= length ? at + n : at + 2;
      continue;
    }
    if (m == 0x53 || m == 0x5D)  // param_qcc::read overflows its heap buffer (ASan), get_Kmax asserts
      throw CodecError(kErrUnsupported, "HTJ2K: per-component COC/QCC markers are not supported by OpenJPH 0.9.0");
    if (m == 0x5C && at + 3 <= length) {  // param_qcd::read trusts Lqcd even past the end (ASan)
      const size_t raw = (static_cast<size_t>(data[at]) << 8) | data[at + 1];
      const size_t perBand = (data[at + 2] & 0x1F) == 0 ? 1 : 2;
      if (raw >= 3 && raw - 3 > 97 * perBand)
        throw CodecError(kErrCorrupt, "HTJ2K: QCD lists more subbands than 32 decomposition levels have");
    }
    const size_t n = segment();
    if (n == 0) break;  // param_cod::read / param_qcd::read report the bad length themselves
    const uint8_t* body = data + at + 2;
    if (m == 0x52 && n >= 12) {  // COD: Scod, SGcod (4 bytes), SPcod (Table A.20)
      const uint32_t levels = body[5];
      const uint32_t xcb = body[6] & 0x0F;
      const uint32_t ycb = body[7] & 0x0F;
      if (levels > 32 || body[6] > 8 || body[7] > 8 || xcb + ycb > 8)
        throw CodecError(kErrCorrupt, "HTJ2K: COD decomposition levels or code-block size out of range");
      transform = body[9];
      // OpenJPH takes any transform but 1 for the 9-7 one; Part 1 defines only 0 and 1.
      if (transform > 1) throw CodecError(kErrUnsupported, "HTJ2K: COD names a wavelet other than 9-7 or 5-3");
    }
    if (m == 0x5C && n >= 3) style = body[0] & 0x1F;  // QCD: Sqcd, then 1 or 2 bytes per subband
    at += n;
  }
  if (transform >= 0 && style >= 0 && style != (transform == 1 ? 0 : 2))
    throw CodecError(kErrUnsupported, "HTJ2K: the QCD quantization style does not match the COD wavelet");
}

}  // namespace

Output htj2kDecode(const uint8_t* data, size_t length, const FrameParams& p) {
  configureMessages();
  const size_t frameBytes = checkFrameParams(p);
  checkMainHeader(data, length);
  const uint32_t spp = p.samplesPerPixel;
  const uint32_t bytes = p.bitsAllocated / 8;
  const size_t n = static_cast<size_t>(p.rows) * p.columns;
  const bool planar = spp == 3 && p.planarConfiguration == 1;
  try {
    ojph::mem_infile file;
    file.open(data, length);
    ojph::codestream cs;
    cs.read_headers(&file);
    ojph::param_siz siz = cs.access_siz();
    const ojph::point extent = siz.get_image_extent();
    const ojph::point offset = siz.get_image_offset();
    if (extent.x - offset.x != p.columns || extent.y - offset.y != p.rows)
      throw CodecError(kErrCorrupt, "HTJ2K: image size does not match rows/columns");
    // ISO/IEC 15444-1 A.5.1: XTOsiz <= XOsiz < XTOsiz + XTsiz (and for y). OpenJPH 0.9.0 does not
    // check; a tile grid that breaks it made codestream::finalize_alloc ask for petabytes
    // (fuzz/codec_fuzzer.cc, test/fixtures/fuzz/).
    const ojph::size tile = siz.get_tile_size();
    const ojph::point tileOffset = siz.get_tile_offset();
    if (tile.w == 0 || tile.h == 0 || tileOffset.x > offset.x || tileOffset.y > offset.y ||
        uint64_t{tileOffset.x} + tile.w <= offset.x || uint64_t{tileOffset.y} + tile.h <= offset.y)
      throw CodecError(kErrCorrupt, "HTJ2K: the SIZ tile grid does not cover the image");
    if (siz.get_num_components() != spp)
      throw CodecError(kErrCorrupt, "HTJ2K: component count does not match samplesPerPixel");
    int32_t lo[3];
    int32_t hi[3];
    for (uint32_t c = 0; c < spp; ++c) {
      const ojph::point ds = siz.get_downsampling(c);
      if (ds.x != 1 || ds.y != 1) throw CodecError(kErrUnsupported, "HTJ2K: subsampled components");
      const uint32_t depth = siz.get_bit_depth(c);
      if (depth < 1 || depth > p.bitsAllocated || depth > 16)
        throw CodecError(kErrCorrupt, "HTJ2K: component precision exceeds bitsAllocated");
      // Lossy (.203) reconstructions may overshoot; clamp to the component's range.
      lo[c] = siz.is_signed(c) ? -(1 << (depth - 1)) : 0;
      hi[c] = siz.is_signed(c) ? (1 << (depth - 1)) - 1 : (1 << depth) - 1;
    }
    cs.set_planar(false);
    cs.create();
    Output out;
    out.reserve(frameBytes);
    out.size = frameBytes;
    const uint32_t mask = (1u << p.bitsStored) - 1;
    const uint32_t sign = 1u << (p.bitsStored - 1);
    const uint32_t word = bytes == 1 ? 0xffu : 0xffffu;
    uint32_t rowOf[3] = {0, 0, 0};
    for (size_t k = 0; k < static_cast<size_t>(p.rows) * spp; ++k) {
      ojph::ui32 comp = 0;
      ojph::line_buf* line = cs.pull(comp);
      if (line == nullptr || comp >= spp || rowOf[comp] >= p.rows)
        throw CodecError(kErrCorrupt, "HTJ2K: the decoder returned fewer lines than the frame has");
      const uint32_t y = rowOf[comp]++;
      const ojph::si32* src = line->i32;
      for (uint32_t x = 0; x < p.columns; ++x) {
        int32_t v = std::min(hi[comp], std::max(lo[comp], static_cast<int32_t>(src[x])));
        uint32_t u = static_cast<uint32_t>(v) & mask;
        if (p.isSigned && (u & sign)) u = (u | ~mask) & word;
        const size_t i = static_cast<size_t>(y) * p.columns + x;
        uint8_t* d = out.data + (planar ? comp * n + i : i * spp + comp) * bytes;
        d[0] = static_cast<uint8_t>(u);
        if (bytes == 2) d[1] = static_cast<uint8_t>(u >> 8);
      }
    }
    cs.close();
    return out;
  } catch (const CodecError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw CodecError(kErrCorrupt, std::string("HTJ2K: decoding failed: ") + e.what());
  } catch (const char* what) {
    // OpenJPH 0.9.0 also throws bare strings (found by test/fuzz/library-decoders.test.ts).
    throw CodecError(kErrCorrupt, std::string("HTJ2K: decoding failed: ") + what);
  } catch (...) {
    throw CodecError(kErrCorrupt, "HTJ2K: decoding failed");
  }
}

#endif

}  // namespace hnv

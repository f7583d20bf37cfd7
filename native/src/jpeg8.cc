// JPEG baseline and extended 8-bit (ITU-T T.81 Processes 1 and 2; DICOM 1.2.840.10008.1.2.4.50,
// and .51 streams of 8-bit precision) through the system libjpeg-turbo (Debian
// libjpeg62-turbo-dev 2.1.5, an 8-bit build: BITS_IN_JSAMPLE is 8), when CMake found it
// (HNV_HAVE_LIBJPEG). The libjpeg API rather than TurboJPEG: only it lets the DICOM Photometric
// Interpretation, not the JFIF/Adobe guess, decide whether a 3-sample stream is YCbCr or RGB
// (PS3.5 8.2.1; DCMTK's dcmdjpeg does the same).
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

#include "codec.h"
#include "samples.h"

#ifdef HNV_HAVE_LIBJPEG
#include <jpeglib.h>
#endif

namespace hnv {

#ifndef HNV_HAVE_LIBJPEG

bool haveLibjpeg() { return false; }
Output jpegBaselineEncode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "JPEG baseline: the addon was built without libjpeg-turbo");
}
Output jpegBaselineDecode(const uint8_t*, size_t, const FrameParams&) {
  throw CodecError(kErrUnsupported, "JPEG baseline: the addon was built without libjpeg-turbo");
}

#else

bool haveLibjpeg() { return true; }

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: longjmp back to the
// call site (no C++ objects with destructors live between setjmp and the libjpeg calls).
struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool warned;
};

void onErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Corrupt-data warnings (premature end, bad Huffman code) mean the pixels are partly invented:
// a transcoder must not pass them on, so the first one is fatal.
void onEmitMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  err->warned = true;
  std::longjmp(err->jump, 1);
}

}  // namespace

// p.colorTransform: 1 = the stream's three components are YCbCr (Photometric YBR_FULL_422 or
// YBR_FULL), 2 = they are RGB, 0 = follow the stream's JFIF/Adobe markers. Output is RGB for
// three samples either way: the decompressed Photometric Interpretation is RGB.
Output jpegBaselineDecode(const uint8_t* data, size_t length, const FrameParams& p) {
  const size_t frameBytes = checkFrameParams(p);
  Output out;
  out.reserve(frameBytes);
  out.size = frameBytes;
  const bool direct = p.bitsAllocated == 8 && p.bitsStored == 8 && !p.isSigned &&
                      (p.samplesPerPixel == 1 || p.planarConfiguration == 0);
  std::unique_ptr<uint8_t[], FreeDeleter> tmp;
  const size_t n = static_cast<size_t>(p.rows) * p.columns * p.samplesPerPixel;
  if (!direct) {
    tmp.reset(static_cast<uint8_t*>(bigAlloc(n)));
    if (!tmp) throw std::bad_alloc();
  }
  uint8_t* target = direct ? out.data : tmp.get();

  jpeg_decompress_struct cinfo;
  ErrorManager err{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = onErrorExit;
  err.pub.emit_message = onEmitMessage;
  const char* failure = nullptr;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw CodecError(kErrCorrupt, std::string("JPEG: ") + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(length));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width != p.columns || cinfo.image_height != p.rows)
    failure = "JPEG: image size does not match rows/columns";
  else if (static_cast<uint32_t>(cinfo.num_components) != p.samplesPerPixel)
    failure = "JPEG: component count does not match samplesPerPixel";
  if (failure == nullptr) {
    if (p.samplesPerPixel == 3) {
      if (p.colorTransform == 1) cinfo.jpeg_color_space = JCS_YCbCr;
      if (p.colorTransform == 2) cinfo.jpeg_color_space = JCS_RGB;
      cinfo.out_color_space = JCS_RGB;
    } else {
      cinfo.out_color_space = JCS_GRAYSCALE;
    }
    cinfo.dct_method = JDCT_ISLOW;  // IJG's default, as dcmdjpeg decodes: results agree bit for bit
    jpeg_start_decompress(&cinfo);
    const size_t stride = static_cast<size_t>(p.columns) * p.samplesPerPixel;
    while (cinfo.output_scanline < cinfo.output_height) {
      JSAMPROW row = target + cinfo.output_scanline * stride;
      jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
  }
  jpeg_destroy_decompress(&cinfo);
  if (failure != nullptr) throw CodecError(kErrCorrupt, failure);
  if (!direct) {
    FrameParams dst = p;
    dst.bitsStored = std::min<uint32_t>(p.bitsStored, 8);
    fromCodecSamples(tmp.get(), 1, false, dst, out.data);
  }
  return out;
}

// Baseline sequential, Huffman, 4:4:4 (no subsampling: DICOM then writes YBR_FULL), quality
// p.quality (1..100). The caller has checked that lossy is allowed and the frame is 8-bit.
Output jpegBaselineEncode(const uint8_t* pixels, size_t length, const FrameParams& p) {
  const size_t frameBytes = checkFrameParams(p);
  if (length < frameBytes) throw CodecError(kErrInvalidArgument, "pixel buffer is shorter than one frame");
  if (p.bitsAllocated != 8) throw CodecError(kErrUnsupported, "JPEG baseline holds 8 bits");
  const size_t n = static_cast<size_t>(p.rows) * p.columns * p.samplesPerPixel;
  std::unique_ptr<uint8_t[], FreeDeleter> inter;
  const uint8_t* src = pixels;
  if (p.samplesPerPixel == 3 && p.planarConfiguration == 1) {
    inter.reset(static_cast<uint8_t*>(bigAlloc(n)));
    if (!inter) throw std::bad_alloc();
    toCodecSamples(pixels, p, inter.get(), 1, false, 8);
    src = inter.get();
  }
  jpeg_compress_struct cinfo;
  ErrorManager err{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = onErrorExit;
  err.pub.emit_message = onEmitMessage;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    std::free(buffer);
    throw CodecError(kErrInvalidArgument, std::string("JPEG: ") + err.message);
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = p.columns;
  cinfo.image_height = p.rows;
  cinfo.input_components = static_cast<int>(p.samplesPerPixel);
  cinfo.in_color_space = p.samplesPerPixel == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, static_cast<int>(std::min<uint32_t>(100, std::max<uint32_t>(1, p.quality))), TRUE);
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
  jpeg_destroy_compress(&cinfo);
  Output out;
  out.reserve(size);
  std::memcpy(out.data, buffer, size);
  out.size = size;
  std::free(buffer);
  return out;
}

#endif

}  // namespace hnv

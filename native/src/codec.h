// Shared types for the HnVue native codecs. Everything here runs without N-API so that the
// libuv worker threads never touch JavaScript (sharp src/pipeline.cc does the same split).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <sys/mman.h>

namespace hnv {

// Stable error codes; the TypeScript side maps them onto CodecError (lib/errors.ts).
constexpr const char* kErrCorrupt = "HNV_ERR_CODEC_CORRUPT";
constexpr const char* kErrUnsupported = "HNV_ERR_CODEC_UNSUPPORTED";
constexpr const char* kErrInvalidArgument = "HNV_ERR_CODEC_INVALID_ARGUMENT";
constexpr const char* kErrInternal = "HNV_ERR_CODEC_INTERNAL";

struct CodecError : std::runtime_error {
  const char* code;
  CodecError(const char* c, const std::string& message) : std::runtime_error(message), code(c) {}
};

// One frame's geometry as DICOM describes it (PS3.3 C.7.6.3), plus codec options.
struct FrameParams {
  uint32_t rows = 0;
  uint32_t columns = 0;
  uint32_t samplesPerPixel = 1;
  uint32_t bitsAllocated = 16;
  uint32_t bitsStored = 16;
  bool isSigned = false;
  uint32_t planarConfiguration = 0;
  // JPEG Lossless (T.81 Annex H)
  uint32_t predictor = 1;
  uint32_t pointTransform = 0;
  uint32_t restartInterval = 0;
  // JPEG 2000 (OpenJPEG)
  uint32_t threads = 0;
  uint32_t resolutions = 6;
  // JPEG-LS (CharLS): NEAR, 0 = lossless
  uint32_t nearLossless = 0;
  // JPEG baseline (libjpeg-turbo): quality 1..100; colour space of 3-sample streams
  // (0 = the stream's markers decide, 1 = YCbCr, 2 = RGB)
  uint32_t quality = 90;
  uint32_t colorTransform = 0;
};

// malloc for large buffers, 2 MiB-aligned and marked for transparent huge pages: on the VMs we
// measured, first-touch page faults of an 18 MB frame cost as much as decoding it (perf: ~40% of
// the decode in the kernel); huge pages cut the fault count 512-fold. Free with std::free.
inline void* bigAlloc(size_t n) {
  constexpr size_t kHuge = size_t{2} << 20;
  if (n < 2 * kHuge) return std::malloc(n);
  const size_t rounded = (n + kHuge - 1) & ~(kHuge - 1);
  void* p = std::aligned_alloc(kHuge, rounded);
  if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// A malloc'd output handed to JavaScript as an external buffer whose finalizer calls free().
struct Output {
  uint8_t* data = nullptr;
  size_t size = 0;
  size_t capacity = 0;

  Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  Output(Output&& o) noexcept : data(o.data), size(o.size), capacity(o.capacity) {
    o.data = nullptr;
    o.size = o.capacity = 0;
  }
  Output& operator=(Output&& o) noexcept {
    if (this != &o) {
      std::free(data);
      data = o.data;
      size = o.size;
      capacity = o.capacity;
      o.data = nullptr;
      o.size = o.capacity = 0;
    }
    return *this;
  }
  ~Output() { std::free(data); }

  void reserve(size_t n) {
    if (n <= capacity) return;
    size_t next = capacity == 0 ? std::max<size_t>(n, 4096) : capacity;
    while (next < n) next *= 2;
    auto* p = static_cast<uint8_t*>(bigAlloc(next));
    if (p == nullptr) throw std::bad_alloc();
    if (data != nullptr) {
      std::memcpy(p, data, size);
      std::free(data);
    }
    data = p;
    capacity = next;
  }
  void push(uint8_t b) {
    reserve(size + 1);
    data[size++] = b;
  }
  uint8_t* release() {
    uint8_t* p = data;
    data = nullptr;
    size = capacity = 0;
    return p;
  }
};

// Validates the geometry and returns the byte length of one native (uncompressed) frame.
size_t checkFrameParams(const FrameParams& p);

Output jpegLosslessEncode(const uint8_t* pixels, size_t length, const FrameParams& p);
Output jpegLosslessDecode(const uint8_t* data, size_t length, const FrameParams& p);

bool haveOpenJpeg();
const char* openJpegVersion();
Output j2kEncode(const uint8_t* pixels, size_t length, const FrameParams& p);
Output j2kDecode(const uint8_t* data, size_t length, const FrameParams& p);

bool haveCharls();
const char* charlsVersion();
Output jpeglsEncode(const uint8_t* pixels, size_t length, const FrameParams& p);
Output jpeglsDecode(const uint8_t* data, size_t length, const FrameParams& p);

bool haveOpenJph();
const char* openJphVersion();
Output htj2kEncode(const uint8_t* pixels, size_t length, const FrameParams& p);
Output htj2kDecode(const uint8_t* data, size_t length, const FrameParams& p);

bool haveLibjpeg();
Output jpegBaselineEncode(const uint8_t* pixels, size_t length, const FrameParams& p);
Output jpegBaselineDecode(const uint8_t* data, size_t length, const FrameParams& p);

bool haveJpeg12();
Output jpeg12Encode(const uint8_t* pixels, size_t length, const FrameParams& p);
Output jpeg12Decode(const uint8_t* data, size_t length, const FrameParams& p);

}  // namespace hnv

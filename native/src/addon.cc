// N-API surface of @hnvue/native. Arguments are parsed into a plain FrameParams on the JS thread;
// the *Async variants run the codec on the libuv pool with no N-API calls and hand back the
// malloc'd result as an external Buffer (no copy), freed by its finalizer.
#include <napi.h>

#include <functional>

#include "codec.h"
#include "framer.h"

namespace {

using hnv::CodecError;
using hnv::FrameParams;
using hnv::Output;
using CodecFn = Output (*)(const uint8_t*, size_t, const FrameParams&);

uint32_t getU32(const Napi::Object& o, const char* key, uint32_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0)) throw Napi::TypeError::New(o.Env(), std::string(key) + " is out of range");
  return static_cast<uint32_t>(d);
}

FrameParams readParams(const Napi::Value& v) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), "frame parameters must be an object");
  Napi::Object o = v.As<Napi::Object>();
  FrameParams p;
  p.rows = getU32(o, "rows", 0);
  p.columns = getU32(o, "columns", 0);
  p.samplesPerPixel = getU32(o, "samplesPerPixel", 1);
  p.bitsAllocated = getU32(o, "bitsAllocated", 16);
  p.bitsStored = getU32(o, "bitsStored", p.bitsAllocated);
  p.isSigned = getU32(o, "pixelRepresentation", 0) == 1;
  p.planarConfiguration = getU32(o, "planarConfiguration", 0);
  p.predictor = getU32(o, "predictor", 1);
  p.pointTransform = getU32(o, "pointTransform", 0);
  p.restartInterval = getU32(o, "restartInterval", 0);
  p.threads = getU32(o, "threads", 0);
  p.resolutions = getU32(o, "resolutions", 6);
  p.nearLossless = getU32(o, "nearLossless", 0);
  p.quality = getU32(o, "quality", 90);
  p.colorTransform = getU32(o, "colorTransform", 0);
  return p;
}

Napi::Uint8Array readBytes(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(v.Env(), "input must be a Uint8Array");
  return v.As<Napi::Uint8Array>();
}

Napi::Value toBuffer(Napi::Env env, Output& out) {
  const size_t size = out.size;
  if (size == 0) return Napi::Buffer<uint8_t>::New(env, 0);
  uint8_t* data = out.release();
  return Napi::Buffer<uint8_t>::New(env, data, size, [](Napi::Env, uint8_t* d) { std::free(d); });
}

Napi::Error codecError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Value().Set("code", Napi::String::New(env, code));
  return e;
}

template <CodecFn Fn>
Napi::Value runSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array input = readBytes(info[0]);
  FrameParams p = readParams(info[1]);
  try {
    Output out = Fn(input.Data(), input.ByteLength(), p);
    return toBuffer(env, out);
  } catch (const CodecError& e) {
    throw codecError(env, e.code, e.what());
  } catch (const std::bad_alloc&) {
    throw codecError(env, "HNV_ERR_CODEC_RESOURCE", "out of memory");
  } catch (const std::exception& e) {
    // A library threw something of its own: a bug to report, never a crash of the process.
    throw codecError(env, "HNV_ERR_CODEC_INTERNAL", e.what());
  } catch (...) {
    throw codecError(env, "HNV_ERR_CODEC_INTERNAL", "a codec library threw a non-standard exception");
  }
}

class CodecWorker : public Napi::AsyncWorker {
 public:
  CodecWorker(Napi::Env env, CodecFn fn, Napi::Uint8Array input, FrameParams p)
      : Napi::AsyncWorker(env, "hnvue:codec"),
        deferred_(Napi::Promise::Deferred::New(env)),
        fn_(fn),
        data_(input.Data()),
        length_(input.ByteLength()),
        params_(p) {
    // Keeps the input alive (and its bytes in place) until the worker finishes.
    input_ = Napi::Persistent(input.As<Napi::Object>());
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      out_ = fn_(data_, length_, params_);
    } catch (const CodecError& e) {
      code_ = e.code;
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "HNV_ERR_CODEC_RESOURCE";
      SetError("out of memory");
    } catch (const std::exception& e) {
      code_ = "HNV_ERR_CODEC_INTERNAL";
      SetError(e.what());
    } catch (...) {
      code_ = "HNV_ERR_CODEC_INTERNAL";
      SetError("a codec library threw a non-standard exception");
    }
  }
  void OnOK() override { deferred_.Resolve(toBuffer(Env(), out_)); }
  void OnError(const Napi::Error& e) override {
    Napi::Error err = codecError(Env(), code_, e.Message());
    deferred_.Reject(err.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference input_;
  CodecFn fn_;
  const uint8_t* data_;
  size_t length_;
  FrameParams params_;
  Output out_;
  const char* code_ = "HNV_ERR_CODEC_INTERNAL";
};

template <CodecFn Fn>
Napi::Value runAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array input = readBytes(info[0]);
  FrameParams p = readParams(info[1]);
  auto* w = new CodecWorker(env, Fn, input, p);
  Napi::Promise promise = w->promise();
  w->Queue();
  return promise;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  exports.Set("openJpegVersion", Napi::String::New(env, hnv::openJpegVersion()));
  exports.Set("hasOpenJpeg", Napi::Boolean::New(env, hnv::haveOpenJpeg()));
  exports.Set("jpegLosslessEncode", Napi::Function::New(env, runSync<hnv::jpegLosslessEncode>));
  exports.Set("jpegLosslessDecode", Napi::Function::New(env, runSync<hnv::jpegLosslessDecode>));
  exports.Set("jpegLosslessEncodeAsync", Napi::Function::New(env, runAsync<hnv::jpegLosslessEncode>));
  exports.Set("jpegLosslessDecodeAsync", Napi::Function::New(env, runAsync<hnv::jpegLosslessDecode>));
  exports.Set("j2kEncode", Napi::Function::New(env, runSync<hnv::j2kEncode>));
  exports.Set("j2kDecode", Napi::Function::New(env, runSync<hnv::j2kDecode>));
  exports.Set("j2kEncodeAsync", Napi::Function::New(env, runAsync<hnv::j2kEncode>));
  exports.Set("j2kDecodeAsync", Napi::Function::New(env, runAsync<hnv::j2kDecode>));
  // Which optional libraries this build linked (CMake finds each one or leaves it out).
  exports.Set("hasCharls", Napi::Boolean::New(env, hnv::haveCharls()));
  exports.Set("charlsVersion", Napi::String::New(env, hnv::charlsVersion()));
  exports.Set("hasOpenJph", Napi::Boolean::New(env, hnv::haveOpenJph()));
  exports.Set("openJphVersion", Napi::String::New(env, hnv::openJphVersion()));
  exports.Set("hasLibjpeg", Napi::Boolean::New(env, hnv::haveLibjpeg()));
  exports.Set("jpeglsEncode", Napi::Function::New(env, runSync<hnv::jpeglsEncode>));
  exports.Set("jpeglsDecode", Napi::Function::New(env, runSync<hnv::jpeglsDecode>));
  exports.Set("jpeglsEncodeAsync", Napi::Function::New(env, runAsync<hnv::jpeglsEncode>));
  exports.Set("jpeglsDecodeAsync", Napi::Function::New(env, runAsync<hnv::jpeglsDecode>));
  exports.Set("htj2kEncode", Napi::Function::New(env, runSync<hnv::htj2kEncode>));
  exports.Set("htj2kDecode", Napi::Function::New(env, runSync<hnv::htj2kDecode>));
  exports.Set("htj2kEncodeAsync", Napi::Function::New(env, runAsync<hnv::htj2kEncode>));
  exports.Set("htj2kDecodeAsync", Napi::Function::New(env, runAsync<hnv::htj2kDecode>));
  exports.Set("jpegBaselineEncode", Napi::Function::New(env, runSync<hnv::jpegBaselineEncode>));
  exports.Set("jpegBaselineDecode", Napi::Function::New(env, runSync<hnv::jpegBaselineDecode>));
  exports.Set("jpegBaselineEncodeAsync", Napi::Function::New(env, runAsync<hnv::jpegBaselineEncode>));
  exports.Set("jpegBaselineDecodeAsync", Napi::Function::New(env, runAsync<hnv::jpegBaselineDecode>));
  exports.Set("hasJpeg12", Napi::Boolean::New(env, hnv::haveJpeg12()));
  exports.Set("jpeg12Encode", Napi::Function::New(env, runSync<hnv::jpeg12Encode>));
  exports.Set("jpeg12Decode", Napi::Function::New(env, runSync<hnv::jpeg12Decode>));
  exports.Set("jpeg12EncodeAsync", Napi::Function::New(env, runAsync<hnv::jpeg12Encode>));
  exports.Set("jpeg12DecodeAsync", Napi::Function::New(env, runAsync<hnv::jpeg12Decode>));
  hnv::registerFramer(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hnvue_native, Init)

// PDU framing fast path (PS3.8 9.3). Every check and every message mirrors the TypeScript framer
// of @hnvue/net (packages/net/src/pdu/framer.ts, pdata.ts) byte for byte: native/test/framer-diff
// feeds both the same streams and requires identical results and identical errors.
// No copies: results are offsets into the caller's buffer.
#include "framer.h"

#include <cstdint>
#include <string>

namespace {

// PS3.8 9.3.1: type (1), reserved (1), big-endian length (4).
constexpr uint32_t kHeader = 6;
// PS3.8 Table 9-21, 9-24, 9-25, 9-26: A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT carry 4 bytes.
constexpr uint32_t kFixedBody = 4;
// PS3.8 9.3.6 Table 9-26 reasons, as ABORT_REASON of @hnvue/net.
constexpr uint32_t kUnrecognizedPdu = 1;
constexpr uint32_t kUnexpectedPdu = 2;
constexpr uint32_t kInvalidParameter = 6;

// Status in slot 0 of a framePdus result.
constexpr uint32_t kNeedMore = 0;  // fewer than 6 bytes after the last complete PDU
constexpr uint32_t kPartial = 1;   // a valid header whose body has not fully arrived
constexpr uint32_t kError = 2;     // a header that fails its check

inline uint32_t be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

std::string hex2(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(2, '0');
  s[0] = digits[(v >> 4) & 0xf];
  s[1] = digits[v & 0xf];
  return s;
}

struct Check {
  uint32_t reason = 0;
  std::string message;
};

// The header check of framer.ts #check. Returns false (and fills `out`) on an error.
bool checkHeader(uint32_t type, uint32_t length, double associateLimit, double pdataLimit, Check& out) {
  switch (type) {
    case 0x01:
    case 0x02:
      if (length > associateLimit) {
        out.reason = kInvalidParameter;
        out.message = "A-ASSOCIATE PDU of " + std::to_string(length) + " bytes exceeds the " +
                      std::to_string(static_cast<uint64_t>(associateLimit)) + "-byte limit";
        return false;
      }
      return true;
    case 0x04:
      if (length > pdataLimit) {
        out.reason = kInvalidParameter;
        out.message = "P-DATA-TF of " + std::to_string(length) + " bytes exceeds the " +
                      std::to_string(static_cast<uint64_t>(pdataLimit)) + "-byte limit";
        return false;
      }
      return true;
    case 0x03:
    case 0x05:
    case 0x06:
    case 0x07:
      if (length != kFixedBody) {
        out.reason = kInvalidParameter;
        out.message = "PDU type 0x0" + std::to_string(type) + " with length " + std::to_string(length) +
                      ", expected 4";
        return false;
      }
      return true;
    default:
      out.reason = kUnrecognizedPdu;
      out.message = "unrecognized PDU type 0x" + hex2(type);
      return false;
  }
}

Napi::Uint8Array bytesArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(info.Env(), "expected a Uint8Array");
  return info[i].As<Napi::Uint8Array>();
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

Napi::Float64Array outArg(const Napi::CallbackInfo& info, size_t i, size_t minimum) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[i].As<Napi::Float64Array>().ElementLength() < minimum)
    throw Napi::TypeError::New(info.Env(), "expected a result Float64Array");
  return info[i].As<Napi::Float64Array>();
}

// framePdus(bytes, offset, associateLimit, pdataLimit, out) frames the complete PDUs of `bytes`
// from `offset` into the caller's Float64Array: [status, nextOffset, a, b, count, type0, start0,
// end0, ...]. Results go into a reused typed array, not a fresh JS array: building the array cost
// 1.3 us per call (measured), more than the TypeScript framer spends per PDU. It stops early when
// `out` is full (status kNeedMore, called again from nextOffset). status kPartial: a = pending PDU
// type, b = its total length; kError: a = abort reason, and the message is the return value.
Napi::Value FramePdus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array buf = bytesArg(info, 0);
  const double offsetArg = numberArg(info, 1, "offset");
  const double associateLimit = numberArg(info, 2, "associateLimit");
  const double pdataLimit = numberArg(info, 3, "pdataLimit");
  Napi::Float64Array outArray = outArg(info, 4, 8);
  double* out = outArray.Data();
  const size_t capacity = (outArray.ElementLength() - 5) / 3;
  const uint8_t* data = buf.Data();
  const size_t size = buf.ByteLength();
  if (!(offsetArg >= 0 && offsetArg <= static_cast<double>(size)))
    throw Napi::RangeError::New(env, "offset is out of range");
  size_t pos = static_cast<size_t>(offsetArg);

  size_t count = 0;
  out[0] = kNeedMore;
  out[2] = 0;
  out[3] = 0;
  Napi::Value result = env.Undefined();
  while (size - pos >= kHeader && count < capacity) {
    const uint32_t type = data[pos];
    const uint32_t length = be32(data + pos + 2);
    Check check;
    if (!checkHeader(type, length, associateLimit, pdataLimit, check)) {
      out[0] = kError;
      out[2] = check.reason;
      result = Napi::String::New(env, check.message);
      break;
    }
    const uint64_t total = static_cast<uint64_t>(kHeader) + length;
    if (size - pos < total) {
      out[0] = kPartial;
      out[2] = type;
      out[3] = static_cast<double>(total);
      break;
    }
    double* triple = out + 5 + 3 * count++;
    triple[0] = type;
    triple[1] = static_cast<double>(pos);
    pos += total;
    triple[2] = static_cast<double>(pos);
  }
  out[1] = static_cast<double>(pos);
  out[4] = static_cast<double>(count);
  return result;
}

// splitPdvs(bytes, out) writes the PDVs of one complete P-DATA-TF into out as [contextId, control,
// start, end, ...] and returns their count; -1 when `out` is too small (nothing else changes); or
// the message, with out[0] = abort reason, for the checks and messages of decodePDataPdvs (pdata.ts).
Napi::Value SplitPdvs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array buf = bytesArg(info, 0);
  Napi::Float64Array outArray = outArg(info, 1, 4);
  double* out = outArray.Data();
  const size_t capacity = outArray.ElementLength() / 4;
  const uint8_t* data = buf.Data();
  const size_t size = buf.ByteLength();
  auto fail = [&](uint32_t reason, const std::string& message) {
    out[0] = reason;
    return Napi::String::New(env, message);
  };
  if (size < kHeader || data[0] != 0x04) return fail(kUnexpectedPdu, "not a P-DATA-TF PDU");
  const uint32_t pduLength = be32(data + 2);
  if (pduLength != size - kHeader) {
    return fail(kInvalidParameter, "P-DATA-TF length " + std::to_string(pduLength) +
                                       " does not match the " + std::to_string(size - kHeader) +
                                       " bytes given");
  }
  size_t count = 0;
  size_t offset = kHeader;
  while (offset < size) {
    if (offset + 4 > size) return fail(kInvalidParameter, "truncated PDV item length");
    const uint32_t itemLength = be32(data + offset);
    // PS3.8 9.3.5.1: the item length covers the context ID and the message control header.
    if (itemLength < 2)
      return fail(kInvalidParameter, "PDV item length " + std::to_string(itemLength) + " is below 2");
    const uint64_t end = static_cast<uint64_t>(offset) + 4 + itemLength;
    if (end > size) {
      return fail(kInvalidParameter,
                  "PDV item of " + std::to_string(itemLength) + " bytes overruns the P-DATA-TF");
    }
    const uint32_t contextId = data[offset + 4];
    // PS3.8 9.3.2.2: presentation context IDs are odd integers 1-255.
    if (contextId % 2 == 0) {
      return fail(kInvalidParameter,
                  "PDV presentation context ID " + std::to_string(contextId) + " is not odd");
    }
    if (count == capacity) return Napi::Number::New(env, -1);
    double* pdv = out + 4 * count++;
    pdv[0] = contextId;
    pdv[1] = data[offset + 5];
    pdv[2] = static_cast<double>(offset + 6);
    pdv[3] = static_cast<double>(end);
    offset = static_cast<size_t>(end);
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

// Splits the P-DATA-TF at data[start, end) into out as [contextId, control, start, end, ...]
// (offsets into data), at most `capacity` PDVs. Returns the count, -1 when it does not fit, or -2
// with `check` filled: the checks and messages of decodePDataPdvs (pdata.ts), as SplitPdvs.
int64_t splitInto(const uint8_t* data, size_t start, size_t end, double* out, size_t capacity, Check& check) {
  const size_t size = end - start;
  auto fail = [&](uint32_t reason, std::string message) {
    check.reason = reason;
    check.message = std::move(message);
    return static_cast<int64_t>(-2);
  };
  if (size < kHeader || data[start] != 0x04) return fail(kUnexpectedPdu, "not a P-DATA-TF PDU");
  const uint32_t pduLength = be32(data + start + 2);
  if (pduLength != size - kHeader) {
    return fail(kInvalidParameter, "P-DATA-TF length " + std::to_string(pduLength) + " does not match the " +
                                       std::to_string(size - kHeader) + " bytes given");
  }
  size_t count = 0;
  size_t offset = start + kHeader;
  while (offset < end) {
    if (offset + 4 > end) return fail(kInvalidParameter, "truncated PDV item length");
    const uint32_t itemLength = be32(data + offset);
    if (itemLength < 2)
      return fail(kInvalidParameter, "PDV item length " + std::to_string(itemLength) + " is below 2");
    const uint64_t stop = static_cast<uint64_t>(offset) + 4 + itemLength;
    if (stop > end) {
      return fail(kInvalidParameter,
                  "PDV item of " + std::to_string(itemLength) + " bytes overruns the P-DATA-TF");
    }
    const uint32_t contextId = data[offset + 4];
    if (contextId % 2 == 0) {
      return fail(kInvalidParameter, "PDV presentation context ID " + std::to_string(contextId) + " is not odd");
    }
    if (count == capacity) return -1;
    double* pdv = out + 4 * count++;
    pdv[0] = contextId;
    pdv[1] = data[offset + 5];
    pdv[2] = static_cast<double>(offset + 6);
    pdv[3] = static_cast<double>(stop);
    offset = static_cast<size_t>(stop);
  }
  return static_cast<int64_t>(count);
}

// Status of a frameChunk result beyond those of framePdus: the PDVs of the PDU at nextOffset are
// malformed (a = reason, the message is returned); that PDU is not in the records.
constexpr uint32_t kPdvError = 3;

// frameChunk(bytes, offset, associateLimit, pdataLimit, out): the whole unit of work of one socket
// read in one call (native/README.md, "PDU framing"): frames every complete PDU of `bytes` from `offset` and splits
// the PDVs of each P-DATA-TF. out = [status, nextOffset, a, b, count, then per PDU: type, start,
// end, pdvCount, pdvCount x (contextId, control, start, end)]. Statuses as framePdus (a PDU that
// would not fit in `out` ends the call with kNeedMore at its offset; b = the doubles it needs when
// it is the first), plus kPdvError. Every check and message is that of framePdus and splitPdvs.
Napi::Value FrameChunk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array buf = bytesArg(info, 0);
  const double offsetArg = numberArg(info, 1, "offset");
  const double associateLimit = numberArg(info, 2, "associateLimit");
  const double pdataLimit = numberArg(info, 3, "pdataLimit");
  Napi::Float64Array outArray = outArg(info, 4, 9);
  double* out = outArray.Data();
  const size_t length = outArray.ElementLength();
  const uint8_t* data = buf.Data();
  const size_t size = buf.ByteLength();
  if (!(offsetArg >= 0 && offsetArg <= static_cast<double>(size)))
    throw Napi::RangeError::New(env, "offset is out of range");
  size_t pos = static_cast<size_t>(offsetArg);
  size_t count = 0;
  size_t at = 5;
  out[0] = kNeedMore;
  out[2] = 0;
  out[3] = 0;
  Napi::Value result = env.Undefined();
  while (size - pos >= kHeader) {
    const uint32_t type = data[pos];
    const uint32_t pduLength = be32(data + pos + 2);
    Check check;
    if (!checkHeader(type, pduLength, associateLimit, pdataLimit, check)) {
      out[0] = kError;
      out[2] = check.reason;
      result = Napi::String::New(env, check.message);
      break;
    }
    const uint64_t total = static_cast<uint64_t>(kHeader) + pduLength;
    if (size - pos < total) {
      out[0] = kPartial;
      out[2] = type;
      out[3] = static_cast<double>(total);
      break;
    }
    if (length - at < 4) break;
    const size_t end = pos + static_cast<size_t>(total);
    int64_t pdvs = 0;
    if (type == 0x04) {
      pdvs = splitInto(data, pos, end, out + at + 4, (length - at - 4) / 4, check);
      if (pdvs == -2) {
        out[0] = kPdvError;
        out[2] = check.reason;
        result = Napi::String::New(env, check.message);
        break;
      }
      if (pdvs == -1) {
        // Every PDV takes at least 6 bytes (PS3.8 9.3.5.1): room for the worst case of this PDU.
        if (count == 0) out[3] = static_cast<double>(9 + 4 * (total / 6));
        break;
      }
    }
    out[at] = type;
    out[at + 1] = static_cast<double>(pos);
    out[at + 2] = static_cast<double>(end);
    out[at + 3] = static_cast<double>(pdvs);
    at += 4 + 4 * static_cast<size_t>(pdvs);
    count++;
    pos = end;
  }
  out[1] = static_cast<double>(pos);
  out[4] = static_cast<double>(count);
  return result;
}

// buildPDataHeaders(contextId, isCommand, totalLength, maxPdvLength) -> one Buffer of n x 12 bytes:
// the header of each single-PDV P-DATA-TF carrying `totalLength` value bytes in fragments of
// `maxPdvLength` (even; PS3.8 E.1), the last one flagged last. An empty value is one empty last PDV.
Napi::Value BuildPDataHeaders(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double contextId = numberArg(info, 0, "contextId");
  const bool isCommand = info[1].ToBoolean().Value();
  const double total = numberArg(info, 2, "totalLength");
  const double maxPdv = numberArg(info, 3, "maxPdvLength");
  if (!(contextId >= 1 && contextId <= 255) || static_cast<uint32_t>(contextId) % 2 == 0 ||
      contextId != static_cast<double>(static_cast<uint32_t>(contextId)))
    throw Napi::RangeError::New(env, "contextId must be an odd integer 1-255");
  if (!(total >= 0 && total <= 9007199254740991.0) || total != static_cast<double>(static_cast<uint64_t>(total)))
    throw Napi::RangeError::New(env, "totalLength must be a non-negative integer");
  if (!(maxPdv >= 2 && maxPdv <= 4294967289.0) || static_cast<uint64_t>(maxPdv) % 2 != 0 ||
      maxPdv != static_cast<double>(static_cast<uint64_t>(maxPdv)))
    throw Napi::RangeError::New(env, "maxPdvLength must be an even integer 2-4294967288");
  const uint64_t length = static_cast<uint64_t>(total);
  const uint64_t fragment = static_cast<uint64_t>(maxPdv);
  const uint64_t count = length == 0 ? 1 : (length + fragment - 1) / fragment;
  if (count > (1u << 26)) throw Napi::RangeError::New(env, "too many P-DATA-TF PDUs");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(count * 12));
  uint8_t* p = out.Data();
  uint64_t left = length;
  for (uint64_t i = 0; i < count; i++, p += 12) {
    const uint32_t value = static_cast<uint32_t>(left > fragment ? fragment : left);
    left -= value;
    const bool isLast = left == 0;
    const uint32_t pduLength = value + 6;
    const uint32_t itemLength = value + 2;
    // PS3.8 Table 9-22 and 9-23: big-endian lengths; PS3.8 E.2 control header bits.
    p[0] = 0x04;
    p[1] = 0;
    p[2] = static_cast<uint8_t>(pduLength >> 24);
    p[3] = static_cast<uint8_t>(pduLength >> 16);
    p[4] = static_cast<uint8_t>(pduLength >> 8);
    p[5] = static_cast<uint8_t>(pduLength);
    p[6] = static_cast<uint8_t>(itemLength >> 24);
    p[7] = static_cast<uint8_t>(itemLength >> 16);
    p[8] = static_cast<uint8_t>(itemLength >> 8);
    p[9] = static_cast<uint8_t>(itemLength);
    p[10] = static_cast<uint8_t>(contextId);
    p[11] = static_cast<uint8_t>((isCommand ? 0x01 : 0) | (isLast ? 0x02 : 0));
  }
  return out;
}

}  // namespace

namespace hnv {
void registerFramer(Napi::Env env, Napi::Object exports) {
  exports.Set("framePdus", Napi::Function::New(env, FramePdus));
  exports.Set("splitPdvs", Napi::Function::New(env, SplitPdvs));
  exports.Set("buildPDataHeaders", Napi::Function::New(env, BuildPDataHeaders));
  exports.Set("frameChunk", Napi::Function::New(env, FrameChunk));
}
}  // namespace hnv

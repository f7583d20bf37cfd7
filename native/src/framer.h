// PDU framing primitives of the DICOM upper layer (PS3.8 9.3), exposed to lib/framer.ts.
#pragma once
#include <napi.h>

namespace hnv {
// Adds framePdus, splitPdvs, frameChunk and buildPDataHeaders to the addon's exports.
void registerFramer(Napi::Env env, Napi::Object exports);
}  // namespace hnv

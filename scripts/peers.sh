#!/usr/bin/env bash
# Installs the real third-party DICOM peers the interoperability tests run against
# (PEERS.md): DCMTK, Orthanc (+ worklist plugin), dicom3tools, GDCM, pydicom, OpenJPEG dev files,
# OpenJPH tools.
set -euo pipefail
need=()
command -v storescp >/dev/null 2>&1 || need+=(dcmtk)
command -v Orthanc >/dev/null 2>&1 || need+=(orthanc)
command -v dciodvfy >/dev/null 2>&1 || need+=(dicom3tools)
command -v gdcmconv >/dev/null 2>&1 || need+=(libgdcm-tools)
/usr/bin/python3 -c 'import pydicom' >/dev/null 2>&1 || need+=(python3-pydicom)
[ -f /usr/include/openjpeg-2.5/openjpeg.h ] || need+=(libopenjp2-7-dev)
# OpenJPH's ojph_compress/ojph_expand: the independent HTJ2K encoder and decoder (DCMTK 3.6.7 has none).
command -v ojph_expand >/dev/null 2>&1 || need+=(openjph-tools)
# clang 14 with its sanitizer and libFuzzer runtimes: the coverage-guided harnesses of the native
# decoders (native/scripts/build-fuzzers.sh, native/test/fuzz/libfuzzer.test.ts).
command -v clang++-14 >/dev/null 2>&1 || need+=(clang-14)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
# PKCS#11 TLS keys (NFR-SEC-02, issue 21): SoftHSM2 as the token, opensc's pkcs11-tool to make a
# key inside it, libp11's OpenSSL engine through which node:tls signs.
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 || need+=(libengine-pkcs11-openssl)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "peers: dcmtk $(storescp --version 2>/dev/null | head -1 | awk '{print $3}'), orthanc $(Orthanc --version 2>/dev/null | head -1 | awk '{print $2}')"

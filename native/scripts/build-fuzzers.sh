#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the addon's decoders (native/fuzz/codec_fuzzer.cc) with
# clang's -fsanitize=fuzzer,address,undefined into native/build/fuzz/<codec>-fuzzer, one binary per
# codec whose library is installed (the same optional libraries as CMakeLists.txt). Our C++
# (src/jpegll.cc and the wrappers) is instrumented for coverage; the system libraries are not (they
# come from Debian packages built without it): libFuzzer sees their behaviour through our wrapper
# code and its comparison hooks only. Needs clang (Debian clang-14, libclang-rt-14-dev);
# scripts/peers.sh installs them. Prints the names of the binaries built.
set -euo pipefail
cd "$(dirname "$0")/.."
CXX="${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}"
if [ -z "$CXX" ]; then
  echo "build-fuzzers: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
out=build/fuzz
mkdir -p "$out/obj"
flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
  -fno-sanitize-recover=undefined -DNAPI_VERSION=8)
link=(-fsanitize=fuzzer,address,undefined)
defs=()
libs=()
have() { [ -f "$1" ]; }
have /usr/include/openjpeg-2.5/openjpeg.h && { defs+=(-DHNV_HAVE_OPENJPEG=1 -I/usr/include/openjpeg-2.5); libs+=(-lopenjp2); }
have /usr/include/charls/charls.h && { defs+=(-DHNV_HAVE_CHARLS=1); libs+=(-lcharls); }
have /usr/include/openjph/ojph_codestream.h && { defs+=(-DHNV_HAVE_OPENJPH=1); libs+=(-lopenjph); }
have /usr/include/jpeglib.h && { defs+=(-DHNV_HAVE_LIBJPEG=1); libs+=(-ljpeg); }
if have /usr/include/gdcm-3.0/gdcmjpeg/12/jpeglib.h; then
  defs+=(-DHNV_HAVE_JPEG12=1 -I/usr/include/gdcm-3.0)
  libs+=(-lgdcmjpeg12)
fi
objs=()
for src in jpegll j2k jpegls htj2k jpeg8 jpeg12; do
  obj="$out/obj/$src.o"
  if [ ! -f "$obj" ] || [ "src/$src.cc" -nt "$obj" ] || [ "$0" -nt "$obj" ]; then
    "$CXX" "${flags[@]}" "${defs[@]}" -c "src/$src.cc" -o "$obj"
  fi
  objs+=("$obj")
done
# codec number (HNV_FUZZ_CODEC), name, the definition that must be present
targets=("1 jpegll -" "2 jpeg8 HNV_HAVE_LIBJPEG" "3 jpeg12 HNV_HAVE_JPEG12" "4 jpegls HNV_HAVE_CHARLS"
  "5 j2k HNV_HAVE_OPENJPEG" "6 htj2k HNV_HAVE_OPENJPH")
for t in "${targets[@]}"; do
  read -r n name need <<<"$t"
  if [ "$need" != "-" ] && [[ " ${defs[*]} " != *" -D$need=1 "* ]]; then
    echo "build-fuzzers: $name skipped ($need: library not installed)" >&2
    continue
  fi
  bin="$out/$name-fuzzer"
  if [ ! -f "$bin" ] || [ fuzz/codec_fuzzer.cc -nt "$bin" ] || [ src/codec.h -nt "$bin" ] ||
    [ -n "$(find "$out/obj" -newer "$bin" -name '*.o' | head -1)" ]; then
    "$CXX" "${flags[@]}" "${defs[@]}" -DHNV_FUZZ_CODEC="$n" fuzz/codec_fuzzer.cc "${objs[@]}" \
      "${link[@]}" "${libs[@]}" -o "$bin"
  fi
  echo "$name"
done

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
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "peers: dcmtk $(storescp --version 2>/dev/null | head -1 | awk '{print $3}'), orthanc $(Orthanc --version 2>/dev/null | head -1 | awk '{print $2}')"

#!/usr/bin/env bash
# Debian's packages hashbank is built and run with, installed when missing:
# FFmpeg's libraries and their headers (the video decoder links libavformat,
# libavcodec and libswscale; its bindings are made at build time with
# pkg-config and libclang), and the ffmpeg tool (tests and benches make
# videos with it). Used by scripts/run.sh, scripts/test.sh, CI and the
# benches. Further packages a caller needs may be named as arguments
# (`bash scripts/deps.sh cmake`).
set -euo pipefail
missing=()
for pkg in ffmpeg pkg-config libclang-dev libavcodec-dev libavformat-dev libavutil-dev \
  libswscale-dev libswresample-dev libavfilter-dev libavdevice-dev "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  apt-get clean
fi

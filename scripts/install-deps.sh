#!/usr/bin/env bash
# Installs the native packages Wan.Runtime needs on Debian 12 (idempotent; needs root or sudo):
#   libopenblas0          CPU backend GEMMs (cblas_sgemm, loaded as libopenblas.so.0)
#   ffmpeg                MP4 output and the ffprobe checks in the tests
#   g++, make, libboost-context-dev   build the emulated CUDA device (kernels compiled by g++, threads as fibers)
#   fonts-wqy-microhei    a CJK font for the visible "AI生成" label and burned-in Chinese subtitles (Wan.Creative)
#   chromium, chromium-driver   the headless browser test of the wan serve page (tests/Wan.Web.Tests, Selenium)
#   rabbitmq-server       the broker of the scale-out tests (tests/Wan.Worker.Tests start a private node on loopback)
#   libnvrtc11.2, libcuda1, libcublas11 (non-free)   NVRTC kernel compilation and the CUDA bindings;
#                         installed by .ci/install-cuda-libs.sh, which enables contrib/non-free
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas0 ffmpeg g++ make libboost-context-dev fonts-wqy-microhei rabbitmq-server)
packages+=(chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The NVIDIA libraries are needed by the tests (NVRTC compiles every kernel) and by --device cuda;
# CPU generation runs without them, so scripts/generate.sh sets WAN_CUDA_LIBS_OPTIONAL=1.
if ! $sudo bash .ci/install-cuda-libs.sh; then
  if [ "${WAN_CUDA_LIBS_OPTIONAL:-0}" = 1 ]; then
    echo "warning: the NVIDIA libraries could not be installed: --device cuda will not work (the CPU path is unaffected)" >&2
  else
    exit 1
  fi
fi
command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required: https://dot.net" >&2; exit 1; }

#!/usr/bin/env bash
# Installs the NVIDIA user-space libraries Wan.Kernels binds to (driver API, NVRTC, cuBLAS) from
# Debian bookworm contrib/non-free. Idempotent: safe to run on every CI start.
# No GPU is needed: NVRTC compiles kernels without one, and libcuda1 lets the tests check the
# bound entry points and the "no CUDA device" path.
set -euo pipefail

sources=/etc/apt/sources.list.d/debian.sources
packages=(libnvrtc11.2 libcuda1 libcublas11 libcublaslt11)

# Checked first: an up-to-date machine needs no root and changes nothing.
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-cuda-libs.sh: ${packages[*]} already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-cuda-libs.sh: ${missing[*]} missing; installing them needs root (apt-get)" >&2
    exit 1
fi

# The NVIDIA packages live in contrib/non-free. Add those components where they are missing, in the
# deb822 file of Debian 12 images and in a classic sources.list (installer systems), matching whole
# words: "non-free-firmware" is not "non-free".
if [ -f "$sources" ]; then
    sed -i -E '/^Components:/{/(\s)contrib(\s|$)/!s/$/ contrib/}; /^Components:/{/(\s)non-free(\s|$)/!s/$/ non-free/}' "$sources"
fi
if [ -f /etc/apt/sources.list ]; then
    sed -i -E '/^deb(-src)?\s/{/\scontrib(\s|$)/!s/$/ contrib/}; /^deb(-src)?\s/{/\snon-free(\s|$)/!s/$/ non-free/}' /etc/apt/sources.list
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-cuda-libs.sh: installed ${missing[*]}"

#!/usr/bin/env bash
# Builds the emulated CUDA device (kernels/cuda/*.cu + kernels/emu) with g++:
#   artifacts/emu/libwan_emu.so         always
#   artifacts/emu/libwan_emu_asan.so    with --asan (AddressSanitizer build)
#   artifacts/emu/libwan_emu_ubsan.so   with --ubsan (UndefinedBehaviorSanitizer build: alignment, bounds, ...)
# Needs g++, make and Boost.Context (Debian: g++ make libboost-context-dev). Incremental.
# The sanitizer runs of the emulated tests (each builds its variant itself):
#   kernels/emu/test-asan.sh, kernels/emu/test-ubsan.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${WAN_EMULATOR_OUT:-$root/artifacts/emu}"
jobs="${WAN_EMULATOR_JOBS:-2}"
# Several projects import emulator.targets (the kernel tests, the benchmarks) and a solution build
# runs them in parallel: one build at a time, the others then find the library up to date.
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
make --no-print-directory -s -j"$jobs" -f "$root/kernels/emu/Makefile" OUT="$out" VARIANT=release
case "${1:-}" in
  --asan) make --no-print-directory -s -j"$jobs" -f "$root/kernels/emu/Makefile" OUT="$out" VARIANT=asan ;;
  --ubsan) make --no-print-directory -s -j"$jobs" -f "$root/kernels/emu/Makefile" OUT="$out" VARIANT=ubsan ;;
  "") ;;
  *) echo "build-emulator.sh: unknown option '$1' (--asan or --ubsan)" >&2; exit 2 ;;
esac

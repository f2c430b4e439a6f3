#!/usr/bin/env bash
# Runs the emulated kernel and op tests (test-emulated.sh, with its kernel-coverage check) against the
# AddressSanitizer build of the emulated device (artifacts/emu/libwan_emu_asan.so): out-of-bounds and
# use-after-free accesses of the kernels, on device buffers and on the fibers' stacks, abort the run
# with an ASan report.
# ASAN_OPTIONS: CoreCLR turns SIGSEGV into NullReferenceException (handle_segv=0,
# allow_user_segv_handler=1), installs its own alternate signal stacks (use_sigaltstack=0), and its
# allocations alive at exit are no leaks of ours (detect_leaks=0).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/.ci/build-emulator.sh" --asan
WAN_EMULATOR_LIB="$root/artifacts/emu/libwan_emu_asan.so" \
LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
ASAN_OPTIONS="detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0" \
  bash "$root/kernels/emu/test-emulated.sh" "$@"

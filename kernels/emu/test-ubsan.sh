#!/usr/bin/env bash
# Runs the emulated kernel and op tests (test-emulated.sh) against the UndefinedBehaviorSanitizer build of the emulated device
# (artifacts/emu/libwan_emu_ubsan.so: -fsanitize=alignment,null,bounds,vla-bound,return,unreachable,
# shift-exponent). The UBSan runtime is linked into the library, whose __ubsan_on_report hook turns a
# report inside a kernel into a failure of that launch naming the kernel (a test then fails); the
# probe test TheUbsanBuildFlagsAMisalignedVectorLoad runs only here and proves the hook fires.
# Schedules: WAN_EMU_SCHEDULE as set by the caller (default forward).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/.ci/build-emulator.sh" --ubsan
WAN_EMULATOR_LIB="$root/artifacts/emu/libwan_emu_ubsan.so" \
UBSAN_OPTIONS="print_stacktrace=1" \
  bash "$root/kernels/emu/test-emulated.sh" "$@"

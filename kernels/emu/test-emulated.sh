#!/usr/bin/env bash
# Runs the emulated tests of every project that has them: the kernels' own (Wan.Kernels.Tests) and the
# CUDA backend's (Wan.Runtime.Tests), in Release, against the library $WAN_EMULATOR_LIB names (default:
# the release build) and under $WAN_EMU_SCHEDULE (default forward); then checks that they launched every
# kernel of kernels/cuda/*.cu (kernel-coverage.sh over the names the emulator logged to WAN_EMU_KERNEL_LOG),
# so a rerun under the schedules or a sanitizer cannot silently skip a kernel.
# Which tests: the filter $WAN_EMU_TESTS, default "Category=Emulated&Category!=EmulatedEndToEnd": the kernel
# and op tests. The EmulatedEndToEnd ones (whole models and pipelines on the emulated device) launch no
# kernel the others miss — the coverage check proves it — and their numerics need no rerun: the main test
# run checks them once. WAN_EMU_TESTS=Category=Emulated runs every emulated test.
# Builds the two projects first unless WAN_EMU_NO_BUILD=1 (scripts/test.sh has built everything).
# Used by test-asan.sh, test-ubsan.sh and scripts/test.sh; extra arguments go to `dotnet test`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
filter="${WAN_EMU_TESTS:-Category=Emulated&Category!=EmulatedEndToEnd}"
WAN_EMU_KERNEL_LOG=$(mktemp)
export WAN_EMU_KERNEL_LOG
trap 'rm -f "$WAN_EMU_KERNEL_LOG"' EXIT
status=0
for project in Wan.Kernels.Tests Wan.Runtime.Tests; do
  if [ "${WAN_EMU_NO_BUILD:-0}" != 1 ]; then
    dotnet build "$root/tests/$project" -c Release -v quiet -nologo
  fi
  dotnet test "$root/tests/$project" -c Release --no-build --filter "$filter" "$@" || status=1
done
bash "$root/kernels/emu/kernel-coverage.sh" "$WAN_EMU_KERNEL_LOG" || status=1
exit $status

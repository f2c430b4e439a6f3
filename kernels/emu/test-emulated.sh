#!/usr/bin/env bash
# Runs the Emulated tests of every project that has them: the kernels' own (Wan.Kernels.Tests) and the
# CUDA backend's (Wan.Runtime.Tests), in Release, against the library $WAN_EMULATOR_LIB names (default:
# the release build) and under $WAN_EMU_SCHEDULE (default forward). Used by test-asan.sh, test-ubsan.sh
# and scripts/test.sh; extra arguments go to `dotnet test`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
status=0
for project in Wan.Kernels.Tests Wan.Runtime.Tests; do
  dotnet build "$root/tests/$project" -c Release -v quiet -nologo
  dotnet test "$root/tests/$project" -c Release --no-build --filter "Category=Emulated" "$@" || status=1
done
exit $status

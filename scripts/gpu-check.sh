#!/usr/bin/env bash
# The check to run the day a GPU is available: builds (warnings are errors), runs the Gpu tests (among them the
# copy stream's: uploads bit-exact, each streaming hazard prevented by its event and seen without it; about 1 s of
# GPU work by estimate, not measured, plus one NVRTC compile into the default kernel cache when it is cold), then
# `Wan.Bench gpu-check`: the attention kernel at the 480p workload in TFLOP/s next to a cuBLAS GEMM of
# the same FLOPs, one DiT forward of an A14B-shaped expert with a few layers at 480p, one A14B block (702.8 MB)
# uploaded on the copy stream alone and beside compute (PCIe GB/s, fraction hidden), and whether
# WAN_CUDA_SYNC=1 names a kernel that faults. Writes a JSON report to the path given, else to
# $OUT/gpu-check.json, else ./gpu-check.json. Budget: under 8 minutes on one H100/H200 — the stage
# timeouts (build 150 s, Gpu tests 120 s, the fixture pipeline streamed vs resident 40 s, measurements 160 s)
# sum to 470 s. Not yet run on a GPU.
# Exit codes: 0 report written and every stage passed; 1 a stage failed (the report says which when it
# got that far); 3 no GPU here (one line on stderr, nothing built).
#   usage: scripts/gpu-check.sh [REPORT.json] [--layers N]
set -uo pipefail
cd "$(dirname "$0")/.."
report="${OUT:-.}/gpu-check.json"
layers=2
while [ $# -gt 0 ]; do
  case "$1" in
    --layers) layers="$2"; shift 2 ;;
    *) report="$1"; shift ;;
  esac
done

# Cheap first: no device node and no nvidia-smi means no NVIDIA GPU; do not spend minutes building.
if ! ls /dev/nvidia[0-9]* > /dev/null 2>&1 && ! command -v nvidia-smi > /dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU on this machine (no /dev/nvidia* device, no nvidia-smi)" >&2
  exit 3
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
start=$SECONDS
if ! timeout 150 dotnet build Wan.Runtime.sln -c Release -warnaserror -nologo -v quiet > gpu-check-build.log 2>&1; then
  grep -E "error" gpu-check-build.log | sort -u | head -n 20 >&2
  echo "gpu-check: build failed (gpu-check-build.log)" >&2
  exit 1
fi
rm -f gpu-check-build.log
echo "built in $((SECONDS - start)) s"

status=0
tests_log=$(mktemp)
timeout 120 dotnet test tests/Wan.Kernels.Tests -c Release --no-build --filter "Category=Gpu" 2>&1 | tee "$tests_log" | grep -E "^\s+(Failed|Skipped) |(Passed|Failed)!" || true
summary=$(grep -E "(Passed|Failed)!" "$tests_log" | tail -n 1 | sed -E 's/ - Wan.*//; s/^[^-]*- //')
grep -qE "^Passed!" "$tests_log" || status=1
rm -f "$tests_log"
echo "Gpu tests: ${summary:-no result} ($((SECONDS - start)) s so far)"

# The fixture pipeline with streamed transformer blocks against both experts resident, on the GPU (needs the fixtures).
streamed_log=$(mktemp)
timeout 40 dotnet test tests/Wan.Runtime.Tests -c Release --no-build --filter "FullyQualifiedName~GpuStreamedResidencyTests" 2>&1 | tee "$streamed_log" | grep -E "^\s+(Failed|Skipped) |(Passed|Failed)!" || true
streamed=$(grep -E "(Passed|Failed)!" "$streamed_log" | tail -n 1 | sed -E 's/ - Wan.*//; s/^[^-]*- //')
grep -qE "^Passed!" "$streamed_log" || status=1
rm -f "$streamed_log"
echo "streamed pipeline: ${streamed:-no result} ($((SECONDS - start)) s so far)"

timeout 160 dotnet bench/Wan.Bench/bin/Release/net10.0/Wan.Bench.dll gpu-check --report "$report" --layers "$layers" --tests "${summary:-no result}; streamed pipeline: ${streamed:-no result}"
bench=$?
[ "$bench" -eq 3 ] && exit 3
[ "$bench" -eq 0 ] || status=1
grep -q '"passed": true' "$report" 2> /dev/null || status=1
echo "gpu-check: report $report, $((SECONDS - start)) s in all, status $status"
exit $status

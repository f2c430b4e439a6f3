#!/usr/bin/env bash
# The check to run the day a GPU is available: builds (warnings are errors) — or, on a machine without the .NET SDK,
# unpacks .gpu/bundle.tar.xz made beforehand by scripts/gpu-bundle.sh — runs the Gpu tests of Wan.Kernels.Tests and
# Wan.Runtime.Tests (full logs beside the report; every DiT, t5, vae and pipeline golden on the GPU; among them the
# copy stream's: uploads bit-exact, each streaming hazard prevented by its event and seen without it; about 1 s of
# GPU work by estimate, not measured, plus one NVRTC compile into the default kernel cache when it is cold), then
# `Wan.Bench gpu-check`: the attention kernel at the 480p workload in TFLOP/s next to a cuBLAS GEMM of
# the same FLOPs, one DiT forward of an A14B-shaped expert with a few layers at 480p, one A14B block (702.8 MB)
# uploaded on the copy stream alone and beside compute (PCIe GB/s, fraction hidden), the 720p x 81 VAE decode (whole
# and tiled for 2 GB: seconds, GPU peak beside the dry run's), and whether
# WAN_CUDA_SYNC=1 names a kernel that faults. Writes a JSON report to the path given, else to
# $OUT/gpu-check.json, else ./gpu-check.json. Budget: under 8 minutes on one H100/H200 — the stage
# timeouts (build 150 s or unpacking, Gpu tests 200 s + 150 s, measurements 220 s) sum to 570 s.
# CUDA 13, 12 or 11 libraries are found where a toolkit or the nvidia-* Python wheels put them (/usr/local, /opt).
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
logs="$(dirname "$report")"
mkdir -p "$logs"
# NVRTC and cuBLAS by soname (src/Wan.Kernels/Interop/NativeLibraries.cs) through the loader path.
for lib in libnvrtc.so libcublas.so; do
  found=$(find /usr/local /opt /usr/lib -name "$lib.1[0-9]*" -print -quit 2> /dev/null)
  [ -n "$found" ] && export LD_LIBRARY_PATH="$(dirname "$found")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
if [ -f .gpu/bundle.tar.xz ]; then
  apps=$(mktemp -d)
  tar -C "$apps" -xJf .gpu/bundle.tar.xz
  export DOTNET_ROOT="$apps/dotnet" PATH="$apps/dotnet:$PATH" WAN_FIXTURES="$apps/fixtures"
  tests() { timeout "$2" dotnet "$apps/apps/$1/$1.dll" --filter "Category=Gpu" --output detailed --no-progress; } # PROJECT SECONDS
  bench_dll="$apps/apps/Wan.Bench/Wan.Bench.dll"
  echo "unpacked .gpu/bundle.tar.xz in $((SECONDS - start)) s"
else
  if ! timeout 150 dotnet build Wan.Runtime.sln -c Release -warnaserror -nologo -v quiet > gpu-check-build.log 2>&1; then
    grep -E "error" gpu-check-build.log | sort -u | head -n 20 >&2
    echo "gpu-check: build failed (gpu-check-build.log)" >&2
    exit 1
  fi
  rm -f gpu-check-build.log
  echo "built in $((SECONDS - start)) s"
  tests() { timeout "$2" dotnet test "tests/$1" -c Release --no-build --filter "Category=Gpu" --logger "console;verbosity=normal"; }
  bench_dll=bench/Wan.Bench/bin/Release/net10.0/Wan.Bench.dll
fi

# A Gpu test that is skipped here means the device did not open (the log says why): a failure on a GPU machine.
status=0
summaries=()
for stage in "Wan.Runtime.Tests 200" "Wan.Kernels.Tests 150"; do
  set -- $stage
  log="$logs/gpu-tests-$1.log"
  tests "$1" "$2" > "$log" 2>&1
  code=$?
  count() { grep -oiE "$1: +[0-9]+" "$log" | tail -n 1 | grep -oE "[0-9]+"; }
  ran=$(count "(succeeded|passed)")
  skipped=$(count skipped)
  failed=$(count failed)
  summary="$1: ${ran:-?} passed, ${failed:-?} failed, ${skipped:-?} skipped (exit $code)"
  [ "$code" -eq 0 ] && [ "${skipped:-0}" -eq 0 ] && [ "${ran:-0}" -gt 0 ] || status=1
  grep -E "^\s*failed |^\s*skipped " "$log" | head -n 20
  echo "Gpu tests $summary ($((SECONDS - start)) s so far; full log $log)"
  summaries+=("$summary")
done

timeout 220 dotnet "$bench_dll" gpu-check --report "$report" --layers "$layers" --tests "${summaries[*]}"
bench=$?
[ "$bench" -eq 3 ] && exit 3
[ "$bench" -eq 0 ] || status=1
grep -q '"passed": true' "$report" 2> /dev/null || status=1
echo "gpu-check: report $report, $((SECONDS - start)) s in all, status $status"
exit $status

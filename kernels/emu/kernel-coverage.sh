#!/usr/bin/env bash
# Checks that a run of emulated tests launched every kernel of the runtime: compares the kernel names
# in LOG (written by the emulator when WAN_EMU_KERNEL_LOG=LOG, one name per launched kernel and test
# process) with every `extern "C" __global__` kernel of KERNELS_DIR/*.cu (default kernels/cuda; the
# test-only probes of kernels/cuda/test are not runtime kernels). The names come from the sources
# after the preprocessor (NVRTC's view, -D__CUDACC_RTC__), so macro-generated kernels
# (flash_attention_bf16_d64, ...) count one by one.
#   kernel-coverage.sh LOG [KERNELS_DIR]
# Prints "kernel coverage: every one of the N kernels was launched" and exits 0, or names the
# kernels no test launched on stderr and exits 1; exits 2 on a missing or empty log or no kernels.
set -euo pipefail
export LC_ALL=C
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log="${1:?usage: kernel-coverage.sh LOG [KERNELS_DIR]}"
kernels_dir="${2:-$root/kernels/cuda}"
if [ ! -s "$log" ]; then
  echo "kernel coverage: the kernel log $log is missing or empty (no emulated launch logged it: was WAN_EMU_KERNEL_LOG set?)" >&2
  exit 2
fi
shopt -s nullglob
sources=("$kernels_dir"/*.cu)
declared=$(mktemp)
trap 'rm -f "$declared"' EXIT
for source in "${sources[@]}"; do
  # One line per file (a declaration may span lines), then every kernel name after `void`
  # and an optional __launch_bounds__(...).
  g++ -E -P -x c++ -D__CUDACC_RTC__ -I "$kernels_dir" "$source" | tr '\n' ' ' |
    grep -oE 'extern "C" +__global__ +void +(__launch_bounds__ *\([^)]*\) +)?[A-Za-z_][A-Za-z0-9_]*' |
    sed -E 's/.*[ )]//' || true
done | sort -u > "$declared"
total=$(wc -l < "$declared")
if [ "$total" -eq 0 ]; then
  echo "kernel coverage: no extern \"C\" __global__ kernel found in $kernels_dir/*.cu" >&2
  exit 2
fi
missing=$(sort -u "$log" | comm -23 "$declared" -)
if [ -n "$missing" ]; then
  echo "kernel coverage: $(wc -l <<< "$missing") of the $total kernels of $kernels_dir were never launched: $(paste -sd ' ' <<< "$missing")" >&2
  exit 1
fi
echo "kernel coverage: every one of the $total kernels of $kernels_dir was launched"

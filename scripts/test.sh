#!/usr/bin/env bash
# Installs what the tests need, builds everything (warnings are errors) and runs every test project,
# then the emulated kernel tests again under fiber schedules and sanitizers. Each phase prints its
# seconds. The last line is the total over all test projects: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash scripts/install-deps.sh
echo "install dependencies: $((SECONDS - start)) s"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
start=$SECONDS
if ! dotnet build Wan.Runtime.sln -c Release -warnaserror -nologo > build.log 2>&1; then
  grep -E "error|warn" build.log | sort -u >&2 || tail -n 30 build.log >&2
  echo "build failed" >&2
  exit 1
fi
tail -n 2 build.log
rm -f build.log
echo "build: $((SECONDS - start)) s"

log=$(mktemp)
status=0
start=$SECONDS
dotnet test Wan.Runtime.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
echo "all tests: $((SECONDS - start)) s"

# Per test project the console logger ends with "Total tests: N" followed by "Passed: N",
# "Failed: N" and "Skipped: N" lines (only the non-zero ones).
count() { { grep -E "^ +$1: +[0-9]+\s*$" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
rm -f "$log"

# The emulated kernel and op tests again (kernels/emu/test-emulated.sh: the Emulated tests but the
# EmulatedEndToEnd ones, whose numerics the run above checked; every kernel of kernels/cuda must be
# launched; not added to the totals: the same tests as above), each run timed:
#  - under three fiber schedules, every launch compared bit for bit across them (a race fails it);
#  - under AddressSanitizer (out-of-bounds, use-after-free) with the reverse schedule;
#  - under UndefinedBehaviorSanitizer (misaligned loads, ...) with the greedy-reverse schedule.
# Everything is built: the reruns do not rebuild the test projects.
export WAN_EMU_NO_BUILD=1
rerun() { # NAME SCHEDULES COMMAND...
  local name=$1 schedules=$2 start=$SECONDS
  shift 2
  if ! WAN_EMU_SCHEDULE="$schedules" "$@" > "$log.rerun" 2>&1; then
    tail -n 40 "$log.rerun"
    echo "the emulated kernel tests failed $name" >&2
    status=1
  else
    echo "emulated tests $name ($((SECONDS - start)) s):"
    grep -E '(Passed|Failed)!' "$log.rerun" | sed -E 's/^[^-]*- /  /; s/ - (Wan[^ ]*).*/ (\1)/'
    grep -E '^kernel coverage:' "$log.rerun" | sed -E 's/^/  /'
  fi
  rm -f "$log.rerun"
}
rerun "under schedules forward, reverse, greedy-reverse (bit-identical)" forward,reverse,greedy-reverse bash kernels/emu/test-emulated.sh
rerun "under AddressSanitizer" reverse bash kernels/emu/test-asan.sh
rerun "under UndefinedBehaviorSanitizer" greedy-reverse bash kernels/emu/test-ubsan.sh
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "total: $SECONDS s"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

#!/usr/bin/env bash
# Installs what the tests need, builds everything (warnings are errors) and runs every test project.
# The last line is the total over all test projects: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Wan.Runtime.sln -c Release -warnaserror 2>&1 | tail -n 3

log=$(mktemp)
status=0
dotnet test Wan.Runtime.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# Per test project the console logger ends with "Total tests: N" followed by "Passed: N",
# "Failed: N" and "Skipped: N" lines (only the non-zero ones).
count() { grep -E "^ +$1: +[0-9]+\s*$" "$log" | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
rm -f "$log"
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

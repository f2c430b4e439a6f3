#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that has no .NET SDK (a lent GPU machine starts bare) into
# one archive, .gpu/bundle.tar.xz (ignored by git; about 50 MB): the .NET runtime of this machine, the two test
# projects with Gpu tests built as self-running test applications (NUnit's runner on Microsoft.Testing.Platform:
# `dotnet Wan.Kernels.Tests.dll --filter Category=Gpu` needs no SDK), Wan.Bench, and the fixture sets of
# $WAN_FIXTURES (default ../shared/fixtures). gpu-check.sh unpacks it when it finds it.
#   usage: scripts/gpu-bundle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
fixtures="${WAN_FIXTURES:-../shared/fixtures}"
[ -d "$fixtures" ] || { echo "gpu-bundle: no fixtures at $fixtures (set WAN_FIXTURES)" >&2; exit 1; }
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# Built from a copy of the working tree (tracked and untracked files, the emulator library that the test projects
# otherwise rebuild), so the repository's own bin/ and obj/ keep their dotnet-test build.
mkdir -p "$stage/tree"
git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - | tar -C "$stage/tree" -xf -
[ -f artifacts/emu/libwan_emu.so ] && mkdir -p "$stage/tree/artifacts/emu" && cp -a artifacts/emu/libwan_emu.so "$stage/tree/artifacts/emu/"
build() { # PROJECT-DIR OUTPUT [MSBUILD-ARGS...]
  local dir=$1 output=$2
  shift 2
  dotnet build "$stage/tree/$dir" -c Release -warnaserror -nologo -v quiet -o "$stage/apps/$output" "$@" > "$stage/build.log" 2>&1 \
    || { grep -E "error" "$stage/build.log" | sort -u >&2; exit 1; }
}
for project in Wan.Kernels.Tests Wan.Runtime.Tests; do
  build "tests/$project" "$project" -p:EnableNUnitRunner=true -p:TestingPlatformDotnetTestSupport=false
done
build bench/Wan.Bench Wan.Bench
rm -rf "$stage/tree" "$stage/build.log" "$stage"/apps/*/runtimes/{win,osx}* "$stage"/apps/Wan.Bench/{x86,arm64}
mkdir -p "$stage/dotnet"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$stage/dotnet/"
mkdir -p "$stage/dotnet/shared" && cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$stage/dotnet/shared/"
cp -a "$(readlink -f "$fixtures")" "$stage/fixtures"
mkdir -p .gpu
tar -C "$stage" -cJf .gpu/bundle.tar.xz dotnet apps fixtures
echo "gpu-bundle: .gpu/bundle.tar.xz ($(du -m .gpu/bundle.tar.xz | cut -f1) MB)"

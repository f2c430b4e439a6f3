#!/usr/bin/env bash
# The main job: text to video. Installs what it needs, builds, and runs `wan generate`.
#   bash scripts/generate.sh [--model DIR] [any other `wan generate` option]
# Without --model it first writes a tiny random-weight Wan2.2 model (wan-convert synth --preset tiny,
# into out/tiny-model) and generates on the CPU backend: the video is noise-like, the path is real.
set -euo pipefail
cd "$(dirname "$0")/.."
WAN_CUDA_LIBS_OPTIONAL=1 bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Wan.Cli tools/convert; do
  if ! dotnet build "$project" -c Release -v quiet -nologo > out-build.log 2>&1; then
    grep -E "error" out-build.log >&2 || tail -n 30 out-build.log >&2
    echo "building $project failed" >&2
    exit 1
  fi
done
rm -f out-build.log
wan=(dotnet src/Wan.Cli/bin/Release/net10.0/wan.dll)
convert=(dotnet tools/convert/bin/Release/net10.0/wan-convert.dll)

args=("$@")
has() { local o; for o in "${args[@]}"; do [ "$o" = "$1" ] && return 0; done; return 1; }
if ! has --model; then
  if [ ! -f out/tiny-model/model_index.json ]; then
    "${convert[@]}" synth out/tiny-model --preset tiny
  fi
  args=(--model out/tiny-model --frames 9 --height 64 --width 64 --steps 6 --device cpu "${args[@]}")
fi
has --prompt || args+=(--prompt "A small cat walks slowly on the green grass, realistic style, soft light.")
if ! has --output; then
  mkdir -p out
  if command -v ffmpeg >/dev/null; then args+=(--output out/video.mp4); else args+=(--output out/video.y4m); fi
fi
exec "${wan[@]}" generate "${args[@]}"

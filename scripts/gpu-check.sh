#!/usr/bin/env bash
# The GPU check, prepared to run as is on a machine with a real GPU and its Vulkan driver (issue 22, point 5):
#   1. what this machine offers: `sig info` (WebGPU adapter, default serve providers), nvidia-smi, vulkaninfo;
#   2. serving: `bench:serve` on the reference classifier with --provider webgpu, then cpu (and cuda when
#      onnxruntime-node's CUDA provider is installed), each against its own best raw session.run;
#   3. training: `sig train classifier` images/s on --backend webgpu against wasm, same data and steps.
# Results: runs/gpu-check/*.log and a summary at the end. Takes ~10 minutes on a GPU host; add nothing to the
# environment (no VK_ICD_FILENAMES: the machine's own driver must be the one found).
#   bash scripts/gpu-check.sh [--seconds 10] [--steps 30]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=10
steps=30
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    *) echo "gpu-check: unknown option $1" >&2; exit 2 ;;
  esac
done
out=runs/gpu-check
mkdir -p "$out"
sig() { node apps/trainer/bin/sig.js "$@"; }

{
  date -u
  uname -a
  nproc
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>/dev/null | sed -n '/Devices:/,$p'
  sig info
} 2>&1 | tee "$out/info.log"

providers=(webgpu cpu)
if ls node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so >/dev/null 2>&1; then providers=(cuda "${providers[@]}"); fi
for p in "${providers[@]}"; do
  echo "== bench:serve --provider $p"
  npm run -s bench:serve -- --model reference --route infer --provider "$p" --rounds 1 --seconds "$seconds" 2>&1 | tee "$out/serve-$p.log"
done

data="$out/synth"
[ -f "$data/synth.json" ] || sig synth --writers 20 --per-writer 40 --out "$data" --seed 1 >/dev/null
for b in webgpu wasm; do
  echo "== sig train classifier --backend $b ($steps steps, batch 32)"
  node apps/trainer/bin/sig.js train classifier --data "$data" --out "$out/train-$b" --backend "$b" \
    --max-steps "$steps" --batch-size 32 --epochs 100 2>&1 | tee "$out/train-$b.log"
done

echo "== summary ($(date -u))"
grep -h "^WebGPU adapter\|^serve providers" "$out/info.log"
for p in "${providers[@]}"; do echo "serve $p: $(grep -h '^ratio server/raw' "$out/serve-$p.log")"; grep -h '^raw best' "$out/serve-$p.log"; done
for b in webgpu wasm; do
  line=$(grep -h '^classifier: .* steps in' "$out/train-$b.log")
  s=$(echo "$line" | sed -E 's/^classifier: ([0-9]+) steps in ([0-9.]+) s.*/\1 \2/')
  set -- $s
  [ $# -eq 2 ] && echo "train $b: $line; $(awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.1f images/s (batch 32, incl. validation)", n * 32 / t }')"
done

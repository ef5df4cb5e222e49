#!/usr/bin/env bash
# Reproduces the committed default models in models/ from the embedded synthetic set, with no user data:
# synthesise 10 writers × 100 signatures, train the classifier, the CGAN and the real/fake detector,
# then export all three to ONNX (parity-checked) and rewrite models/manifest.json.
# Usage: npm run train:default [-- <workDir>]     (default workDir: runs/default)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-runs/default}"
sig() { node apps/trainer/bin/sig.js "$@"; }

rm -rf "$work"
mkdir -p "$work"
sig synth --writers 10 --per-writer 100 --seed 1 --out "$work/synth"
# the committed classifier predates the 184-student recipe that is now the default: its settings, spelled out
sig train classifier --data "$work/synth" --out "$work/classifier" --seed 1 --workers 2 --input 64x128 --dropout 0.3 --lr 0.001 \
  --val-fraction 0.2 --epochs 10 --patience 3
sig train cgan --data "$work/synth" --out "$work/cgan" --seed 1 --steps 700
sig train realfake --real "$work/synth" --generator "$work/cgan" --out "$work/realfake" --seed 1
rm -rf models
sig export --run "$work/classifier" "$work/cgan" "$work/realfake" --out models --version 1.0.0 --fp16 --int8
echo "default models written to models/ (work files in $work)"

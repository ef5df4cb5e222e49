#!/usr/bin/env bash
# Reproduces the committed default models in models/ from the embedded synthetic set, with no user data:
# synthesise 10 writers × 100 signatures, train the classifier, the CGAN and the real/fake detector,
# then export all three to ONNX (parity-checked) and rewrite models/manifest.json; then the signature embedding
# (see below) is trained and added to the manifest.
# Usage: npm run train:default [-- <workDir>]     (default workDir: runs/default)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-runs/default}"
sig() { node apps/trainer/bin/sig.js "$@"; }

rm -rf "$work"
mkdir -p "$work"
sig synth --writers 10 --per-writer 100 --seed 1 --out "$work/synth"
sig train classifier --data "$work/synth" --out "$work/classifier" --seed 1 --workers 2 --epochs 10 --patience 3
sig train cgan --data "$work/synth" --out "$work/cgan" --seed 1 --steps 700
sig train realfake --real "$work/synth" --generator "$work/cgan" --out "$work/realfake" --seed 1
rm -rf models
sig export --run "$work/classifier" "$work/cgan" "$work/realfake" --out models --version 1.0.0 --fp16 --int8

# The embedding: synthetic writers with synthetic skilled forgeries (writers 1-400 of a 1500-writer set: the
# forger of each forgery is drawn among all 1500), plus the real development data when it is present at
# ../shared/datasets: signature-forgeries development writers 001-040 (041-050, never trained on, calibrate the
# thresholds; 051-069 are test writers and never used) and registration-sheet students 1-92 (93-184 are the
# held-out half). Without the real sets it trains on synthetic writers only and calibrates on held-out ones.
sig synth --writers 1500 --per-writer 8 --forgeries 4 --seed 11 --out "$work/synth-writers"
emb_data=("$work/synth-writers@1-400")
emb_holdout=()
forgeries=../shared/datasets/signature-forgeries
sheets=../shared/datasets/registration-sheets
if [ -d "$forgeries" ]; then emb_data+=("$forgeries@1-40"); emb_holdout=(--holdout "$forgeries@41-50"); fi
if [ -d "$sheets" ]; then sig ingest "$sheets" --out "$work/sheets"; emb_data+=("$work/sheets@1-92"); fi
sig train embedding --data "${emb_data[@]}" "${emb_holdout[@]}" --out "$work/embedding" --input 32x64 --width 0.25 --dim 128 \
  --batch-size 48 --steps 1500 --eval-every 300 --workers 2 --seed 1
sig export --run "$work/embedding" --out models --version 1.0.0
echo "default models written to models/ (work files in $work)"

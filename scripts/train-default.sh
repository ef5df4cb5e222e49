#!/usr/bin/env bash
# Reproduces the committed default models in models/: synthesise 10 writers × 100 signatures, train the
# classifier and the CGAN on them and export both; then train the real/fake detector against that exported
# generator as the server runs it, on the synthetic signatures plus, when the registration sheets are there,
# the real crops of the students with even IDs (the odd ones are kept for `sig eval realfake`), every genuine
# image also as a photographed/scanned copy; export it. `sig export` adds or replaces only these models'
# entries in models/manifest.json; other models in models/ are kept.
# Usage: npm run train:default [-- <workDir>]     (default workDir: runs/default; sheets: SIG_SHEETS, default
# ../shared/datasets/registration-sheets)
# Then the signature embedding (see below) is trained and added to the manifest.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-runs/default}"
sheets="${SIG_SHEETS:-../shared/datasets/registration-sheets}"
sig() { node apps/trainer/bin/sig.js "$@"; }

rm -rf "$work"
mkdir -p "$work"
sig synth --writers 10 --per-writer 100 --seed 1 --out "$work/synth"
# the committed classifier predates the 184-student recipe that is now the default: its settings, spelled out
sig train classifier --data "$work/synth" --out "$work/classifier" --seed 1 --workers 2 --input 64x128 --dropout 0.3 --lr 0.001 \
  --val-fraction 0.2 --epochs 10 --patience 3
# the generator: `sig train cgan`'s defaults, the reference design plus an auxiliary classifier head on D
# (AC-GAN, --aux-weight 1) and a moving average of G's weights (--ema 0.99), 7 000 steps of batch 16
# (docs/evaluation-gan.md: it draws the ID asked for; without the head it mostly did not)
sig train cgan --data "$work/synth" --out "$work/cgan" --seed 1
sig export --run "$work/classifier" --out models --version 1.1.0 --fp16 --int8
# served with latent truncation 1.25 (values beyond ±1.25 drawn again): every ID's samples read as that ID, for less
# variety than the untruncated samples `sig eval cgan` measures (docs/evaluation-gan.md, "Served with truncation")
sig export --run "$work/cgan" --out models --version 1.2.0 --fp16 --int8 --truncation 1.25

real=("$work/synth")
if [ -d "$sheets" ]; then
  sig ingest "$sheets" --out "$work/sheets"
  mkdir -p "$work/sheets-train"
  for d in "$work/sheets"/*/; do
    id="$(basename "$d")"
    if [[ "$id" =~ ^[0-9]+$ ]] && (( id % 2 == 0 )); then ln -sfn "../sheets/$id" "$work/sheets-train/$id"; fi
  done
  n="$(ls "$work/sheets-train" | wc -l)"
  printf '{ "description": "real signatures cut from the registration sheets (sig ingest): the %s students with even IDs, %s crops (the students with odd IDs are kept for evaluation)" }\n' \
    "$n" "$((n * 4))" > "$work/sheets-train/dataset.json"
  real+=("$work/sheets-train")
fi
# the detector: `sig train realfake`'s defaults (--filters 32 --stem-stride 1 --bn-momentum 0.9 --epochs 30 --fakes 2
# --capture 2, augmentation on); it trains on untruncated samples of the exported generator (the whole of its output)
sig train realfake --real "${real[@]}" --generator models --out "$work/realfake" --seed 1
sig export --run "$work/realfake" --out models --version 1.5.0 --fp16 --int8

# The embedding: synthetic writers with synthetic skilled forgeries (writers 1-400 of a 1500-writer set: the
# forger of each forgery is drawn among all 1500), plus the real development data when it is present at
# ../shared/datasets: signature-forgeries development writers 001-040 (041-050, never trained on, calibrate the
# thresholds; 051-069 are test writers and never used) and registration-sheet students 1-92 (93-184 are the
# held-out half). Without the real sets it trains on synthetic writers only and calibrates on held-out ones.
# 48x96 and no forgery term (genuine-only batches): better than 32x64 with it on every held-out measure
# (docs/evaluation-verification.md, runs A and B).
sig synth --writers 1500 --per-writer 8 --forgeries 4 --seed 11 --out "$work/synth-writers"
emb_data=("$work/synth-writers@1-400")
emb_holdout=()
forgeries=../shared/datasets/signature-forgeries
if [ -d "$forgeries" ]; then emb_data+=("$forgeries@1-40"); emb_holdout=(--holdout "$forgeries@41-50"); fi
if [ -d "$sheets" ]; then emb_data+=("$work/sheets@1-92"); fi
sig train embedding --data "${emb_data[@]}" "${emb_holdout[@]}" --out "$work/embedding" --input 48x96 --width 0.25 --dim 128 \
  --batch-size 48 --steps 2000 --eval-every 400 --workers 2 --seed 1 --forgery-weight 0
sig export --run "$work/embedding" --out models --version 1.1.0
echo "default models written to models/ (work files in $work)"

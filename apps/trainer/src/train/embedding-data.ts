// The images an embedding trains and calibrates on: several folder datasets at once, each writer known as
// `<dataset number>:<folder>` so writers of different sources are never merged by name; genuine signatures
// and skilled forgeries (flagged) of each writer; training writers and held-out writers kept apart.
import { resolve } from 'node:path';
import { Rng, type PreprocessConfig } from '@sig/shared';
import { loadDatasetSpec, loadPreprocessed, parseDatasetSpec, type DatasetIndex, type DatasetItem } from '../data/index.ts';
import type { ImageSet } from './image-set.ts';

/** Images of many writers: `y` is the writer index into `writers`, `forged` marks skilled forgeries. */
export interface WriterSet extends ImageSet {
  forged: Uint8Array;
  writers: string[];
}

/** What one --data or --holdout dataset contributed. */
export interface WriterSource {
  spec: string;
  path: string;
  writers: number;
  genuine: number;
  forged: number;
}

interface Picked {
  tag: string;
  index: DatasetIndex;
  labels: string[];
}

/** Loads the genuine images and forgeries of `picked` writers as one set (writers named `<tag>:<label>`). */
export async function loadWriterSet(picked: Picked[], pre: PreprocessConfig): Promise<WriterSet> {
  const writers: string[] = [];
  const items: DatasetItem[] = [];
  const forgedFlags: number[] = [];
  for (const p of picked) {
    const keep = new Set(p.labels);
    const at = new Map<string, number>();
    for (const label of p.index.labels) if (keep.has(label)) at.set(label, writers.push(`${p.tag}:${label}`) - 1);
    for (const [list, flag] of [[p.index.items, 0], [p.index.forgeries, 1]] as const) {
      for (const it of list) {
        const w = at.get(it.label);
        if (w === undefined) continue;
        items.push({ ...it, labelIndex: w, group: `${p.tag}:${it.group}` });
        forgedFlags.push(flag);
      }
    }
  }
  const batch = await loadPreprocessed(items, pre);
  return { ...batch, forged: Uint8Array.from(forgedFlags), writers };
}

/** Training and held-out writers of `data` (and of `holdout`, which is never trained on). */
export async function loadTrainingWriters(o: { data: string[]; holdout: string[]; valShare: number; seed: number; pre: PreprocessConfig }): Promise<{
  train: WriterSet;
  val: WriterSet;
  sources: WriterSource[];
  holdoutSources: WriterSource[];
}> {
  const source = (spec: string, index: DatasetIndex, labels: string[]): WriterSource => {
    const keep = new Set(labels);
    return {
      spec,
      path: index.root,
      writers: labels.length,
      genuine: index.items.filter((it) => keep.has(it.label)).length,
      forged: index.forgeries.filter((it) => keep.has(it.label)).length,
    };
  };
  const held = await Promise.all(o.holdout.map(async (spec) => ({ spec, index: await loadDatasetSpec(spec) })));
  const heldKeys = new Set(held.flatMap((h) => h.index.labels.map((l) => `${resolve(h.index.root)}\0${l}`)));
  const train: Picked[] = [];
  const val: Picked[] = held.map((h, k) => ({ tag: `h${k + 1}`, index: h.index, labels: h.index.labels }));
  const sources: WriterSource[] = [];
  for (const [k, spec] of o.data.entries()) {
    const index = await loadDatasetSpec(spec);
    let labels = index.labels.filter((l) => !heldKeys.has(`${resolve(index.root)}\0${l}`));
    if (held.length === 0 && o.valShare > 0) {
      // No held-out dataset: a seeded share of this dataset's writers validates and calibrates instead.
      const nVal = Math.min(labels.length - 2, Math.max(1, Math.round(o.valShare * labels.length)));
      if (nVal > 0) {
        const out = new Set(new Rng(o.seed * 31 + k).shuffle([...labels]).slice(0, nVal));
        val.push({ tag: `d${k + 1}`, index, labels: labels.filter((l) => out.has(l)) });
        labels = labels.filter((l) => !out.has(l));
      }
    }
    train.push({ tag: `d${k + 1}`, index, labels });
    sources.push(source(spec, index, labels));
  }
  const holdoutSources = val.map((v, k) => source(k < held.length ? held[k].spec : `${parseDatasetSpec(o.data[Number(v.tag.slice(1)) - 1]).path} (held-out writers)`, v.index, v.labels));
  const [trainSet, valSet] = await Promise.all([loadWriterSet(train, o.pre), loadWriterSet(val, o.pre)]);
  return { train: trainSet, val: valSet, sources, holdoutSources };
}

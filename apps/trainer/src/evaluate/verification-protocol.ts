// The verification protocol over embedded signatures (pure: vectors in, numbers out). Each writer enrols its
// first N genuine signatures; a query's score for a writer is its best cosine with any of them (`max`, what
// the gallery serves) or the cosine with their normalised mean (`template`). Then:
//   1:N closed set  every writer enrolled; each remaining genuine signature is identified: top-1, top-5.
//   1:N open set    a seeded share of writers stays unenrolled (their signatures are impostor queries); at a
//                   threshold chosen elsewhere (development writers: `open1`, calibrated for exactly this
//                   question, and the 1:1 `far1`), the detection-and-identification rate
//                   and the share of impostor queries falsely accepted. The threshold that would give FAR 1 %
//                   on these very queries is reported too, as an oracle, never as the operating point.
//   1:1             genuine: a query against its own writer; random forgery: against every other writer;
//                   skilled forgery: a forgery of a writer against that writer. EER per kind, FAR/FRR at the
//                   calibrated thresholds.
import { Rng, UserError, type EmbeddingScoring } from '@sig/shared';
import { equalError, errorCurve, openSetRates, ratesAt, rowMax, thinCurve, thresholdAtFar, topKRate, type ErrorPoint } from './verification-metrics.ts';

/** Unit vectors of a dataset's images with their writer and kind. */
export interface EmbeddedSet {
  dim: number;
  /** n × dim, row-major, each row of unit length. */
  vectors: Float32Array;
  writer: Int32Array;
  forged: Uint8Array;
  /** Writer names by index. */
  writers: string[];
}

export interface ProtocolOptions {
  references: number;
  /** Share of writers left unenrolled in the open-set test. */
  impostorShare: number;
  seed: number;
  /** Calibrated cosine thresholds (from development writers); without them, no operating-point numbers. */
  thresholds?: { far1: number; far01: number; eer: number; open1?: number };
  /** How enrolled references score a query (default `max`, as the gallery does). */
  scoring?: Scoring;
  /** Another score than the embedding's cosine (e.g. the pairwise verifier's, or a fusion): replaces `scoring`. */
  enrol?: Enrol;
}

/** A writer's enrolment from its reference rows: the scorer of any row of the set. */
export type Enrol = (rows: number[]) => (i: number) => number;

/** How a writer's enrolled references score a query (manifest.ts, `EmbeddingScoring`). */
export type Scoring = EmbeddingScoring;

export interface VerificationResults {
  writers: number;
  skippedWriters: string[];
  references: number;
  scoring: Scoring;
  identification: { queries: number; top1: number; top5: number };
  openSet: {
    enrolledWriters: number;
    impostorWriters: number;
    queries: number;
    impostorQueries: number;
    /** At the open-set threshold (`open1`), the one a lookup uses. */
    atCalibratedOpen1?: { threshold: number; dir: number; far: number };
    /** At the 1:1 FAR-1 % threshold (impostors: other writers and skilled forgeries). */
    atCalibratedFar1?: { threshold: number; dir: number; far: number };
    oracleFar1: { threshold: number; dir: number; far: number };
  };
  verification: {
    genuinePairs: number;
    randomPairs: number;
    skilledPairs: number;
    eerRandom: number;
    eerSkilled: number | null;
    atThresholds?: Record<'far1' | 'far01' | 'eer', { threshold: number; frr: number; farRandom: number; farSkilled: number | null }>;
    det: { random: ErrorPoint[]; skilled: ErrorPoint[] | null };
  };
}

/** Row `i` of the vectors as a view. */
const row = (s: EmbeddedSet, i: number): Float32Array => s.vectors.subarray(i * s.dim, (i + 1) * s.dim);

function dot(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d += a[k] * b[k];
  return d;
}

/** The normalised mean of `rows` (a writer's template). */
export function template(set: EmbeddedSet, rows: number[]): Float32Array {
  const t = new Float32Array(set.dim);
  for (const i of rows) {
    const v = row(set, i);
    for (let k = 0; k < set.dim; k++) t[k] += v[k];
  }
  const norm = Math.hypot(...t) || 1;
  for (let k = 0; k < set.dim; k++) t[k] /= norm;
  return t;
}

/** A writer's enrolment: the score of row `i` against references `rows`. */
export function enrolment(set: EmbeddedSet, rows: number[], scoring: Scoring): (i: number) => number {
  if (scoring === 'template') {
    const t = template(set, rows);
    return (i) => dot(row(set, i), t);
  }
  const refs = rows.map((r) => row(set, r));
  return (i) => {
    const q = row(set, i);
    let best = -Infinity;
    for (const r of refs) best = Math.max(best, dot(q, r));
    return best;
  };
}

/** Runs the protocol (see the file header). */
export function runVerificationProtocol(set: EmbeddedSet, o: ProtocolOptions): VerificationResults {
  // ---- enrolment: first N genuine per writer; writers without a query left over are skipped
  const genuine = set.writers.map(() => [] as number[]);
  const forged = set.writers.map(() => [] as number[]);
  for (let i = 0; i < set.writer.length; i++) (set.forged[i] ? forged : genuine)[set.writer[i]].push(i);
  const usable = set.writers.map((_, w) => w).filter((w) => genuine[w].length > o.references);
  const skippedWriters = set.writers.filter((_, w) => genuine[w].length <= o.references);
  if (usable.length < 2) throw new UserError(`verification needs at least 2 writers with more than ${o.references} genuine signatures`);
  const scoring = o.scoring ?? 'max';
  const enrol = o.enrol ?? ((rows: number[]) => enrolment(set, rows, scoring));
  const scorers = usable.map((w) => enrol(genuine[w].slice(0, o.references)));
  const queries = usable.flatMap((w, u) => genuine[w].slice(o.references).map((i) => ({ i, u })));
  const scoresOf = (i: number, among: number[]): number[] => among.map((u) => scorers[u](i));
  const all = usable.map((_, u) => u);

  // ---- 1:N closed set
  const qScores = queries.map((q) => scoresOf(q.i, all));
  const truth = queries.map((q) => q.u);
  const identification = { queries: queries.length, top1: topKRate(qScores, truth, 1), top5: topKRate(qScores, truth, 5) };

  // ---- 1:N open set
  const order = new Rng(o.seed).shuffle([...all]);
  const nOut = Math.min(usable.length - 1, Math.max(o.impostorShare > 0 ? 1 : 0, Math.round(o.impostorShare * usable.length)));
  const outside = new Set(order.slice(0, nOut));
  const enrolled = all.filter((u) => !outside.has(u));
  const at = new Map(enrolled.map((u, k) => [u, k]));
  const encQ = queries.filter((q) => at.has(q.u));
  const encScores = encQ.map((q) => scoresOf(q.i, enrolled));
  const encTruth = encQ.map((q) => at.get(q.u)!);
  const impScores = [...outside].flatMap((u) => genuine[usable[u]].map((i) => scoresOf(i, enrolled)));
  const oracleT = impScores.length ? thresholdAtFar(rowMax(impScores), 0.01) : Infinity;
  const openSet = {
    enrolledWriters: enrolled.length,
    impostorWriters: outside.size,
    queries: encQ.length,
    impostorQueries: impScores.length,
    ...(o.thresholds?.open1 !== undefined ? { atCalibratedOpen1: { threshold: o.thresholds.open1, ...openSetRates(encScores, encTruth, impScores, o.thresholds.open1) } } : {}),
    ...(o.thresholds ? { atCalibratedFar1: { threshold: o.thresholds.far1, ...openSetRates(encScores, encTruth, impScores, o.thresholds.far1) } } : {}),
    oracleFar1: { threshold: oracleT, ...openSetRates(encScores, encTruth, impScores, oracleT) },
  };

  // ---- 1:1 verification
  const gen: number[] = [], rnd: number[] = [], skl: number[] = [];
  queries.forEach((q, k) => qScores[k].forEach((s, u) => (u === q.u ? gen : rnd).push(s)));
  usable.forEach((w, u) => forged[w].forEach((i) => skl.push(scorers[u](i))));
  const atThresholds = o.thresholds
    ? (Object.fromEntries(
        (['far1', 'far01', 'eer'] as const).map((k) => {
          const t = o.thresholds![k];
          const r = ratesAt(gen, rnd, t);
          return [k, { threshold: t, frr: r.frr, farRandom: r.far, farSkilled: skl.length ? ratesAt(gen, skl, t).far : null }];
        }),
      ) as VerificationResults['verification']['atThresholds'])
    : undefined;
  const verification = {
    genuinePairs: gen.length,
    randomPairs: rnd.length,
    skilledPairs: skl.length,
    eerRandom: equalError(gen, rnd).eer,
    eerSkilled: skl.length ? equalError(gen, skl).eer : null,
    atThresholds,
    det: { random: thinCurve(errorCurve(gen, rnd)), skilled: skl.length ? thinCurve(errorCurve(gen, skl)) : null },
  };
  return { writers: usable.length, skippedWriters, references: o.references, scoring, identification, openSet, verification };
}

/** Calibrated thresholds and what they were measured on. */
export interface Calibration {
  far1: number;
  far01: number;
  eer: number;
  /** Open-set threshold: 1 % of unenrolled writers' signatures score this high against some enrolled writer. */
  open1: number;
  scoring: Scoring;
  eerValue: number;
  eerRandom: number;
  eerSkilled: number | null;
  references: number;
  writers: number;
  genuinePairs: number;
  impostorPairs: number;
}

/**
 * Calibration on development writers with the protocol's own scoring (so thresholds mean the same thing
 * there): each writer enrols its first `references` genuine signatures; genuine scores are its other genuine
 * signatures against its references, impostor scores every other writer's genuine signatures (random
 * forgeries) and its own forgeries (skilled) against them. The 1:1 thresholds at FAR 1 %, 0.1 % and at the
 * EER point are over both kinds of impostor. The open-set threshold `open1` answers the lookup's question
 * ("is this anyone enrolled?"), whose impostors are people who are not enrolled, not forgers: each writer in
 * turn stays unenrolled, the others are enrolled, and its genuine signatures' best scores among them are the
 * impostor scores; `open1` is where 1 % of those pass. Its gallery is the development writers less one, so
 * with many more students enrolled more impostors find a close one (measured in docs/evaluation-verification.md).
 */
export function calibrateThresholds(set: EmbeddedSet, references: number, scoring: Scoring = 'max', enrol?: Enrol): Calibration {
  const genuine = set.writers.map(() => [] as number[]);
  const forged = set.writers.map(() => [] as number[]);
  for (let i = 0; i < set.writer.length; i++) (set.forged[i] ? forged : genuine)[set.writer[i]].push(i);
  const usable = set.writers.map((_, w) => w).filter((w) => genuine[w].length > references);
  if (usable.length < 2) throw new UserError(`calibration needs at least 2 writers with more than ${references} genuine signatures`);
  const gen: number[] = [], rnd: number[] = [], skl: number[] = [];
  // A genuine signature's best score among the other writers: its open-set impostor score.
  const outsider = new Float64Array(set.writer.length).fill(-Infinity);
  for (const w of usable) {
    const refs = genuine[w].slice(0, references);
    const score = enrol ? enrol(refs) : enrolment(set, refs, scoring);
    for (const i of genuine[w].slice(references)) gen.push(score(i));
    for (const i of forged[w]) skl.push(score(i));
    for (const v of usable) {
      if (v === w) continue;
      for (const i of genuine[v]) {
        const s = score(i);
        rnd.push(s);
        if (s > outsider[i]) outsider[i] = s;
      }
    }
  }
  const imp = [...rnd, ...skl];
  const e = equalError(gen, imp);
  return {
    far1: thresholdAtFar(imp, 0.01),
    far01: thresholdAtFar(imp, 0.001),
    eer: e.threshold,
    open1: thresholdAtFar(usable.flatMap((v) => genuine[v].map((i) => outsider[i])), 0.01),
    scoring,
    eerValue: e.eer,
    eerRandom: equalError(gen, rnd).eer,
    eerSkilled: skl.length ? equalError(gen, skl).eer : null,
    references,
    writers: usable.length,
    genuinePairs: gen.length,
    impostorPairs: imp.length,
  };
}

/** A calibration as run.json and the manifest record it (`thresholds`, `calibration`). */
export function calibrationFields(c: Calibration, dataset: string) {
  return {
    thresholds: { far1: c.far1, far01: c.far01, eer: c.eer, open1: c.open1 },
    calibration: { dataset, writers: c.writers, genuinePairs: c.genuinePairs, impostorPairs: c.impostorPairs, scoring: c.scoring },
  };
}

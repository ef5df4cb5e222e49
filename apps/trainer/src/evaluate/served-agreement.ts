// How often a served generator draws the student it is asked for, checked the way a user would: POST
// /v1/generate for an ID, then POST /v1/classify on each PNG it returns. A sample the pipeline refuses (422,
// e.g. read as a whole form) is a miss: the user gets no answer for it. Used by `sig eval generator` (every ID,
// the figure in docs/evaluation-gan.md) and by test/generator-committed.test.ts (a handful of IDs of the committed
// models).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifyResponse, GenerateResponse } from '@sig/shared';

/** A server over a models folder for measuring, on a free loopback port. */
export interface EvaluationServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The inference server over `modelsDir`, as a user would run it, but on a free loopback port with one thread and
 * its own throwaway gallery folder: a measurement never opens (or locks) the user's enrolment database.
 */
export async function startEvaluationServer(modelsDir: string): Promise<EvaluationServer> {
  const { startServer } = await import('@sig/inference-server');
  const galleryDataDir = await mkdtemp(join(tmpdir(), 'sig-eval-gallery-'));
  try {
    const server = await startServer(
      { modelsDir, host: '127.0.0.1', port: 0, intraOpThreads: 1, interOpThreads: 1, edgeDir: '/nonexistent-edge-dir', galleryDataDir },
      { log: () => {} },
    );
    return {
      url: server.url,
      close: async () => {
        await server.close();
        await rm(galleryDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(galleryDataDir, { recursive: true, force: true });
    throw err;
  }
}

/** One ID's outcome: samples drawn, samples classified as that ID, and the reasons of the refused ones. */
export interface IdAgreement {
  id: string;
  samples: number;
  agreed: number;
  refused: string[];
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * `perId` samples of `id` from the server at `baseUrl` (seeds seed, seed+1, … for 16 at a time), each classified.
 * `truncation` goes into the request (absent: the served default).
 */
export async function servedIdAgreement(baseUrl: string, id: string, perId: number, seed: number, truncation?: number | 'none'): Promise<IdAgreement> {
  const images: { png: string }[] = [];
  // /v1/generate draws at most 16 per request: consecutive seeds for more.
  for (let k = 0; images.length < perId; k++) {
    const res = await post(`${baseUrl}/v1/generate`, { id, count: Math.min(16, perId - images.length), seed: seed + k, truncation });
    if (!res.ok) throw new Error(`/v1/generate ${id}: ${res.status} ${await res.text()}`);
    images.push(...GenerateResponse.parse(await res.json()).images);
  }
  let agreed = 0;
  const refused: string[] = [];
  for (const img of images) {
    const res = await post(`${baseUrl}/v1/classify`, { image: img.png });
    if (res.status === 422) refused.push(String((await res.json()).reason));
    else if (!res.ok) throw new Error(`/v1/classify: ${res.status} ${await res.text()}`);
    else if (ClassifyResponse.parse(await res.json()).predictions[0]?.id === id) agreed++;
  }
  return { id, samples: images.length, agreed, refused };
}

/** What a request says about truncation: absent (the served default), 'none', or a value. */
export type RequestTruncation = number | 'none' | undefined;

/** Every ID's agreement at one truncation. */
export interface TruncationAgreement {
  /** As asked: 'served' (no truncation in the request), 'none' or the value. */
  requested: 'served' | 'none' | number;
  /** What the server drew with (null: untruncated). */
  truncation: number | null;
  agreement: number;
  agreed: number;
  samples: number;
  lowest: { id: string; share: number };
  /** IDs whose share is below the target. */
  below: string[];
  perId: IdAgreement[];
}

export interface GeneratorAgreementOptions {
  ids: string[];
  perId: number;
  seed: number;
  /** Share of each ID's samples that must be read as that ID. */
  target: number;
  /** The served default, to say what 'served' drew with. */
  servedTruncation?: number;
}

/** Every ID of `opts.ids` at one truncation, from the server at `baseUrl`. */
export async function generatorAgreement(baseUrl: string, requested: RequestTruncation, opts: GeneratorAgreementOptions): Promise<TruncationAgreement> {
  const perId: IdAgreement[] = [];
  for (const id of opts.ids) perId.push(await servedIdAgreement(baseUrl, id, opts.perId, opts.seed, requested));
  const agreed = perId.reduce((a, r) => a + r.agreed, 0);
  const samples = perId.reduce((a, r) => a + r.samples, 0);
  const share = (r: IdAgreement) => r.agreed / r.samples;
  const lowest = perId.reduce((m, r) => (share(r) < share(m) ? r : m));
  return {
    requested: requested ?? 'served',
    truncation: requested === undefined ? (opts.servedTruncation ?? null) : requested === 'none' ? null : requested,
    agreement: agreed / samples,
    agreed,
    samples,
    lowest: { id: lowest.id, share: share(lowest) },
    below: perId.filter((r) => share(r) < opts.target).map((r) => r.id),
    perId,
  };
}

/** The least truncated measurement (none first, then larger values) with every ID at the target, if any. */
export function leastTruncatedMeeting(runs: TruncationAgreement[]): TruncationAgreement | undefined {
  const looseness = (t: number | null) => t ?? Infinity;
  return runs.filter((r) => r.below.length === 0).sort((a, b) => looseness(b.truncation) - looseness(a.truncation))[0];
}

const pct = (n: number, d: number) => `${n}/${d} (${((100 * n) / d).toFixed(1)} %)`;

/** One ID's outcome as a line: samples read as the ID, and why the refused ones were refused. */
export function describeId(p: IdAgreement): string {
  return `ID ${p.id}: ${pct(p.agreed, p.samples)}${p.refused.length ? `; refused ${p.refused.length} (${[...new Set(p.refused)].join(', ')})` : ''}`;
}

/** One measurement as a line: overall share, the lowest ID, the IDs below the target. */
export function describeAgreement(r: TruncationAgreement, target: number): string {
  const low = r.perId.find((p) => p.id === r.lowest.id)!;
  return (
    `truncation ${r.truncation ?? 'none'}${r.requested === 'served' ? ' (served)' : ''}: ${pct(r.agreed, r.samples)} read as the ID asked for; ` +
    `lowest ID ${low.id} ${pct(low.agreed, low.samples)}; ${r.below.length === 0 ? `every ID ≥ ${target}` : `below ${target}: ID ${r.below.join(', ')}`}`
  );
}

// `npm run bench:gallery`: the enrolment gallery's speed against the plain in-process baseline.
//   search    exact top-k over N reference vectors (N = 1k, 10k, 100k): our EmbeddingIndex (one contiguous
//             matrix, best reference per student) vs the plain baseline (an array of vectors, every score
//             computed, sorted); p50/p99 and queries/s.
//   identify  image → top-k through the whole use case (decode, preprocess, embed, search; with PostgreSQL the
//             change check before each search) on a gallery of N references vs the baseline: embed with the
//             same onnxruntime session + the plain exact search.
//   enrol     references/s through Gallery.enrol (embed + one transaction) vs embedding alone into an array.
// Each engine: PGlite (embedded default) and, when Debian's PostgreSQL binaries are present, a throwaway
// PostgreSQL cluster (--no-postgres skips it). The load average is printed before and after.
//
//   npm run bench:gallery -- [--sizes 1000,10000,100000] [--dim 128] [--queries 200] [--enrol 40] [--models models]
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  EmbeddingIndex,
  embed,
  embeddingSpec,
  modelTag,
  rawImagePreparer,
  tagKey,
  type ModelEntry,
  type ModelSource,
} from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { localModels, openNodeGallery, type SqlGalleryStore } from '../apps/inference-server/src/gallery/index.ts';
import { makeGalleryModels } from '../test/gallery/fixtures.ts';
import { postgresBin, startPostgres } from '../test/gallery/postgres.ts';
import { signatureImage } from '../test/server/http.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    dim: { type: 'string', default: '128' },
    queries: { type: 'string', default: '200' },
    enrol: { type: 'string', default: '40' },
    models: { type: 'string', default: 'models' },
    'no-postgres': { type: 'boolean', default: false },
    'search-only': { type: 'boolean', default: false },
  },
});
const sizes = args.sizes!.split(',').map(Number);
const queries = Number(args.queries);
const PER_STUDENT = 4;

/** A seeded stream of unit vectors (xorshift; the values do not matter, only that they differ). */
function unitVectors(n: number, dim: number, seed: number): Float32Array[] {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296 - 0.5);
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, rnd);
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    for (let i = 0; i < dim; i++) v[i] /= norm;
    return v;
  });
}

/** The plain exact search: every reference scored, sorted, best reference per student, top k. */
function baselineSearch(refs: { studentId: string; vector: Float32Array }[], q: Float32Array, k: number): { id: string; similarity: number }[] {
  const scored = refs.map((r) => {
    let s = 0;
    for (let i = 0; i < q.length; i++) s += r.vector[i] * q[i];
    return { id: r.studentId, similarity: s };
  });
  scored.sort((a, b) => b.similarity - a.similarity);
  const seen = new Set<string>();
  const out: { id: string; similarity: number }[] = [];
  for (const s of scored) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    out.push(s);
    if (out.length === k) break;
  }
  return out;
}

/** Times `fn` `n` times: p50, p99 (ms) and calls/s. */
async function time(n: number, fn: (i: number) => unknown): Promise<{ p50: number; p99: number; perSec: number; cpuMs: number }> {
  const t: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    t.push(performance.now() - t0);
  }
  const total = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(n * 0.5)], p99: t[Math.min(n - 1, Math.floor(n * 0.99))], perSec: n / total, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}
// CPU ms per call is what the process itself spent (user + system, all its threads): less sensitive to a
// shared machine than wall-clock latency.
const fmt = (r: { p50: number; p99: number; perSec: number; cpuMs: number }) =>
  `p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, ${r.perSec.toFixed(0)}/s, ${r.cpuMs.toFixed(3)} CPU ms/call`;

/** Fills the store with `n` synthetic references of `entry`'s tag (bulk SQL: the bench setup, not a use case). */
async function bulkLoad(store: SqlGalleryStore, entry: ModelEntry, vectors: Float32Array[], png: Uint8Array): Promise<void> {
  const tag = modelTag(entry);
  const db = store.db;
  for (let start = 0; start < vectors.length; start += 2000) {
    const chunk = vectors.slice(start, start + 2000);
    const ids = chunk.map((_, i) => `b${Math.floor((start + i) / PER_STUDENT)}`);
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO students (id, rev) SELECT DISTINCT unnest($1::text[]), 1 ON CONFLICT DO NOTHING`, [ids]);
      const sigIds = (await tx.query<{ id: string }>(`INSERT INTO signatures (student_id, png) SELECT unnest($1::text[]), $2 RETURNING id`, [ids, png])).map((r) => r.id);
      const bytes = chunk.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      await tx.query(
        `INSERT INTO embeddings (signature_id, tag, model_name, model_version, model_sha256, preprocess, vector)
         SELECT unnest($1::bigint[]), $2, $3, $4, $5, $6, unnest($7::bytea[])`,
        [sigIds, tagKey(tag), tag.model, tag.version, tag.sha256, tag.preprocess, bytes],
      );
      await tx.query('UPDATE gallery_state SET rev = rev + 1, refs = refs + $1', [chunk.length]);
    });
  }
}

async function main(): Promise<void> {
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const scratch = await mkdtemp(join(tmpdir(), 'sig-bench-gallery-'));
  const cleanup: (() => Promise<void>)[] = [() => rm(scratch, { recursive: true, force: true })];
  try {
    // --- search alone ---
    const dim = Number(args.dim);
    console.log(`\nsearch: top-5 over N unit vectors of ${dim} floats, ${PER_STUDENT} per student, ${queries} queries`);
    for (const n of sizes) {
      const vectors = unitVectors(n, dim, 7);
      const refs = vectors.map((vector, i) => ({ signatureId: String(i), studentId: `s${Math.floor(i / PER_STUDENT)}`, vector }));
      const index = new EmbeddingIndex(dim, n);
      index.add(refs);
      const scalar = new EmbeddingIndex(dim, n, 'scalar');
      scalar.add(refs);
      const qs = unitVectors(queries, dim, 99);
      let rescored = 0;
      const ours = await time(queries, (i) => (index.search(qs[i], 5), (rescored += index.rescored)));
      const exact = await time(queries, (i) => scalar.search(qs[i], 5));
      const base = await time(Math.min(queries, n >= 100_000 ? 50 : queries), (i) => baselineSearch(refs, qs[i], 5));
      const ids = (r: { id: string }[]) => r.map((s) => s.id).join();
      const same = qs.slice(0, 20).every((q) => ids(index.search(q, 5)) === ids(baselineSearch(refs, q, 5)));
      console.log(
        `  N=${n}: index (${index.scan}) ${fmt(ours)}, ${(rescored / queries).toFixed(0)} rows re-scored/query | ` +
          `index (scalar) ${fmt(exact)} | plain ${fmt(base)} | ${(base.p50 / ours.p50).toFixed(1)}x plain, ` +
          `${(exact.p50 / ours.p50).toFixed(1)}x scalar at p50 | same top-5 as plain (20 queries): ${same}`,
      );
    }

    if (args['search-only']) return;
    // --- identify and enrol through the use case, per engine ---
    let modelsDir = args.models!;
    let models: ModelSource & { close(): Promise<void> } = await localModels(modelsDir, ['embedding']).catch(() => null as never);
    if (!models || !models.entries().some((e) => e.kind === 'embedding')) {
      modelsDir = join(scratch, 'models');
      await makeGalleryModels({ thresholds: { far1: 0.98, far01: 0.99, eer: 0.95 }, dir: modelsDir });
      models = await localModels(modelsDir, ['embedding']);
      console.log(`\nno embedding model in ${args.models}: using the tiny test-fixture model (16×16 input, 8 floats)`);
    }
    cleanup.push(() => models.close());
    const entry = models.entries().find((e) => e.kind === 'embedding')!;
    console.log(`\nmodel: ${entry.name} ${entry.version}, ${entry.preprocess.width}×${entry.preprocess.height}, embeddingDim ${embeddingSpec(entry).dim}`);
    const pngs = await Promise.all(Array.from({ length: 16 }, (_, i) => signatureImage({ seed: i + 1 })));
    const prepare = async (bytes: Uint8Array, configs: Parameters<typeof rawImagePreparer>[1]) => rawImagePreparer(await decodeImage(bytes), configs);
    const ctx = await models.context(entry);
    const embedOne = async (png: Uint8Array) => (await embed(ctx, entry, [(await prepare(png, [entry.preprocess]))[0]]))[0];

    const engines: { name: string; db: { dataDir: string; databaseUrl?: string } }[] = [{ name: 'PGlite', db: { dataDir: join(scratch, 'pglite') } }];
    if (!args['no-postgres'] && postgresBin()) {
      const pg = await startPostgres();
      cleanup.push(() => pg.destroy());
      engines.push({ name: 'PostgreSQL', db: { dataDir: '', databaseUrl: pg.url } });
    } else console.log('PostgreSQL: skipped (--no-postgres or no binaries)');

    for (const engine of engines) {
      let opened = await openNodeGallery({ models, prepare, db: engine.db });
      console.log(`\n${engine.name}`);
      // Enrolment: K students × PER_STUDENT references through the use case vs embedding alone.
      const k = Number(args.enrol);
      const t0 = performance.now();
      for (let i = 0; i < k; i++) await opened.gallery.enrol(`e${i}`, Array.from({ length: PER_STUDENT }, (_, j) => pngs[(i + j) % pngs.length]), { replace: true });
      const enrolPerSec = (k * PER_STUDENT) / ((performance.now() - t0) / 1000);
      const plain: Float32Array[] = [];
      const t1 = performance.now();
      for (let i = 0; i < k; i++) {
        const xs = await Promise.all(Array.from({ length: PER_STUDENT }, (_, j) => prepare(pngs[(i + j) % pngs.length], [entry.preprocess]).then((x) => x[0])));
        plain.push(...(await embed(ctx, entry, xs)));
      }
      const plainPerSec = (k * PER_STUDENT) / ((performance.now() - t1) / 1000);
      console.log(`  enrol: ${enrolPerSec.toFixed(1)} references/s | plain embed into an array ${plainPerSec.toFixed(1)}/s | ${(enrolPerSec / plainPerSec).toFixed(2)}x`);

      let loaded = k * PER_STUDENT;
      for (const n of sizes) {
        await bulkLoad(opened.store, entry, unitVectors(n - loaded, embeddingSpec(entry).dim, n), pngs[0]);
        loaded = n;
        // Reopened (one process per embedded database): the start-up load of the index is timed too.
        await opened.store.close();
        const t2 = performance.now();
        opened = await openNodeGallery({ models, prepare, db: engine.db });
        const status = await opened.gallery.status();
        const loadMs = performance.now() - t2;
        const all = (await opened.store.embeddings(modelTag(entry))).refs;
        const nq = Math.min(queries, 100);
        const g = opened.gallery;
        const ours = await time(nq, (i) => g.identify(pngs[i % pngs.length], { topK: 5 }));
        const base = await time(nq, async (i) => baselineSearch(all, await embedOne(pngs[i % pngs.length]), 5));
        console.log(`  identify N=${status.references}: ${fmt(ours)} | plain embed + search ${fmt(base)} | ${(ours.p50 / base.p50).toFixed(2)}x the plain p50 | open + index load ${loadMs.toFixed(0)} ms`);
      }
      await opened.store.close();
    }
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  }
}

await main();

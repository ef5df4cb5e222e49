import { rm } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrtSessionLike, OrtTensorLike } from '@sig/shared';
import { ModelRunner, ClosedError, OverloadedError } from '../apps/inference-server/src/batching/micro-batcher.ts';
import { makeTestModels } from './server/fixtures.ts';
import { postJson, signatureImage, startTestServer } from './server/http.ts';

/** A fake session: output row i = 2 × input row i (+1 in a second output); records the batch sizes it saw. */
class DoublingSession implements OrtSessionLike {
  readonly inputNames = ['x'];
  readonly outputNames = ['y', 'z'];
  readonly batches: number[] = [];
  failOn: number | null = null;
  running = 0;
  mostRunning = 0;
  async run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    const x = feeds.x.data as Float32Array;
    this.batches.push(feeds.x.dims[0]);
    this.mostRunning = Math.max(this.mostRunning, ++this.running);
    await new Promise((r) => setTimeout(r, 5));
    this.running--;
    if (this.failOn !== null && x.includes(this.failOn)) throw new Error('bad value');
    return {
      y: new ort.Tensor('float32', x.map((v) => 2 * v), feeds.x.dims),
      z: new ort.Tensor('float32', x.map((v) => v + 1), feeds.x.dims),
    };
  }
}

const feed = (...rows: number[][]) => ({ x: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length]) });
const values = (t: OrtTensorLike) => Array.from(t.data as Float32Array);

describe('ModelRunner (micro-batching)', () => {
  it('merges concurrent runs into one session run and gives each caller its own rows', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 16, maxWaitMs: 20, maxQueue: 64 });
    const [a, c, d] = await Promise.all([b.run(feed([1, 2])), b.run(feed([3, 4], [5, 6])), b.run(feed([7, 8]))]);
    expect(inner.batches).toEqual([4]);
    expect(values(a.y)).toEqual([2, 4]);
    expect(c.y.dims).toEqual([2, 2]);
    expect(values(c.y)).toEqual([6, 8, 10, 12]);
    expect(values(d.z)).toEqual([8, 9]);
  });

  it('never puts more than maxBatchSize rows in one run, and requests arriving during a run form the next batch', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 2, maxWaitMs: 20, maxQueue: 64 });
    const outs = await Promise.all([1, 2, 3, 4, 5].map((v) => b.run(feed([v]))));
    expect(inner.batches).toEqual([2, 2, 1]);
    expect(outs.map((o) => values(o.y)[0])).toEqual([2, 4, 6, 8, 10]);
  });

  it('runs up to `concurrency` batches at once (one per inference thread), never more', async () => {
    for (const concurrency of [1, 2, 3]) {
      const inner = new DoublingSession();
      const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 2, maxWaitMs: 0, maxQueue: 64, concurrency });
      const outs = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((v) => b.run(feed([v]))));
      expect(outs.map((o) => values(o.y)[0])).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
      expect(inner.mostRunning).toBe(concurrency);
      await b.drain();
    }
  });

  it('with maxBatchSize 1 never merges requests (a bigger request still runs whole)', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 1, maxWaitMs: 20, maxQueue: 64 });
    await Promise.all([b.run(feed([1], [2], [3])), b.run(feed([4]))]);
    expect(inner.batches).toEqual([3, 1]);
  });

  it('rejects with OverloadedError when the queue is full', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 8, maxWaitMs: 50, maxQueue: 2 });
    const results = await Promise.allSettled([1, 2, 3, 4].map((v) => b.run(feed([v]))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(OverloadedError);
  });

  it('a request that makes the merged run fail fails alone; its batch-mates still get answers', async () => {
    const inner = new DoublingSession();
    inner.failOn = 666;
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 8, maxWaitMs: 20, maxQueue: 64 });
    const results = await Promise.allSettled([b.run(feed([1])), b.run(feed([666])), b.run(feed([3]))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(values((results[2] as PromiseFulfilledResult<Record<string, OrtTensorLike>>).value.y)).toEqual([6]);
  });

  it('only merges requests with the same per-row shape', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 8, maxWaitMs: 20, maxQueue: 64 });
    const [a, c] = await Promise.all([b.run(feed([1, 2])), b.run(feed([3, 4, 5]))]);
    expect(inner.batches).toEqual([1, 1]);
    expect(values(c.y)).toEqual([6, 8, 10]);
    expect(values(a.y)).toEqual([2, 4]);
  });

  it('hurry runs a waiting batch at once', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 8, maxWaitMs: 60_000, maxQueue: 64 });
    const pending = b.run(feed([1]));
    b.hurry();
    expect(values((await pending).y)).toEqual([2]);
    expect(values((await b.run(feed([3]))).y)).toEqual([6]); // still accepts work, without waiting
  });

  it('drain finishes queued work, then refuses new work', async () => {
    const inner = new DoublingSession();
    const b = new ModelRunner(inner, ort.Tensor, { maxBatchSize: 8, maxWaitMs: 1000, maxQueue: 64 });
    const pending = b.run(feed([1]));
    await b.drain();
    expect(values((await pending).y)).toEqual([2]);
    await expect(b.run(feed([2]))).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('micro-batching over HTTP', () => {
  let models: string;
  let image: string;
  beforeAll(async () => {
    models = (await makeTestModels()).dir;
    image = (await signatureImage()).toString('base64');
  });
  afterAll(async () => {
    await rm(models, { recursive: true, force: true });
  });

  it('batches concurrent /v1/classify requests into one session run', async () => {
    // A long wait so that all four arrive (after decoding and preprocessing) before the batch runs.
    const s = await startTestServer(models, { maxWaitMs: 1500, maxBatchSize: 8 });
    try {
      const rs = await Promise.all([1, 2, 3, 4].map(() => postJson(`${s.url}/v1/classify`, { image })));
      expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(rs.map((r) => JSON.stringify(r.json))).size).toBe(1);
      const text = await (await fetch(`${s.url}/metrics`)).text();
      expect(text).toMatch(/sig_batch_requests_count\{model="classifier"\} 1\n/);
      expect(text).toMatch(/sig_batch_requests_sum\{model="classifier"\} 4\n/);
    } finally {
      await s.close();
    }
  });

  it('answers 503 with Retry-After when the queue is full', async () => {
    // Raw tensors (no preprocessing) reach the queue at once; the long wait keeps the first two queued.
    const s = await startTestServer(models, { maxWaitMs: 1500, maxBatchSize: 8, maxQueue: 2, retryAfterSeconds: 2 });
    const infer = { inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', data: new Array(256).fill(0.5) }] };
    try {
      const rs = await Promise.all([1, 2, 3, 4, 5].map(() => postJson(`${s.url}/v2/models/classifier/infer`, infer)));
      const statuses = rs.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 503, 503, 503]);
      for (const r of rs.filter((x) => x.status === 503)) {
        expect(r.headers.get('retry-after')).toBe('2');
        expect(r.json.error).toMatch(/busy/);
      }
    } finally {
      await s.close();
    }
  });

  it('inference threads answer exactly what the event loop thread answers', async () => {
    const bodies: string[] = [];
    for (const inferenceThreads of [0, 1, 2]) {
      const s = await startTestServer(models, { inferenceThreads });
      try {
        const rs = await Promise.all([1, 2, 3].map(() => postJson(`${s.url}/v1/classify`, { image, topK: 4 })));
        expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
        bodies.push(...rs.map((r) => JSON.stringify(r.json)));
      } finally {
        await s.close();
      }
    }
    expect(new Set(bodies).size).toBe(1);
  });
});

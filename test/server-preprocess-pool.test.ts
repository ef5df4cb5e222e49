import { afterAll, describe, expect, it } from 'vitest';
import { UserError, type PreprocessConfig } from '@sig/shared';
import { PreprocessPool } from '../apps/inference-server/src/preprocess/pool.ts';
import { signatureImage } from './server/http.ts';

const cfgA: PreprocessConfig = { height: 16, width: 32, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 };
const cfgB: PreprocessConfig = { ...cfgA, height: 8, width: 8, range: 'minus-one-one' };
const pools: PreprocessPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('preprocessing pool', () => {
  it('worker threads give exactly what the calling thread computes, for each config', async () => {
    const png = await signatureImage();
    const inline = new PreprocessPool(0, () => {});
    const workers = new PreprocessPool(2, () => {});
    pools.push(inline, workers);
    const a = await inline.prepare(png, 1e6, [cfgA, cfgB]);
    // Each call moves its bytes to a worker, so each gets its own copy.
    const results = await Promise.all([1, 2, 3].map(() => workers.prepare(new Uint8Array(png), 1e6, [cfgA, cfgB])));
    for (const b of results) {
      expect(b.map((x) => [x.width, x.height])).toEqual([[32, 16], [8, 8]]);
      expect(Array.from(b[0].data)).toEqual(Array.from(a[0].data));
      expect(Array.from(b[1].data)).toEqual(Array.from(a[1].data));
    }
    expect(Math.max(...a[0].data)).toBeGreaterThan(0.5); // the stroke is there
    const moved = new Uint8Array(png); // an upload as the server reads it: its own ArrayBuffer
    await workers.prepare(moved, 1e6, [cfgA]);
    expect(moved.byteLength, 'the upload was moved to the worker, not copied').toBe(0);
  });

  it('passes a bad image back as a UserError with its HTTP status', async () => {
    const workers = new PreprocessPool(1, () => {});
    pools.push(workers);
    const err = await workers.prepare(new TextEncoder().encode('not an image'), 1e6, [cfgA]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).status).toBe(400);
    const big = await workers.prepare(await signatureImage({ width: 400, height: 300 }), 1000, [cfgA]).catch((e: unknown) => e);
    expect((big as UserError).status).toBe(413);
  });
});

import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModels } from './server/fixtures.ts';
import { postJson, signatureImage, startTestServer } from './server/http.ts';

let models: string;
let image: string;
beforeAll(async () => {
  models = (await makeTestModels()).dir;
  image = (await signatureImage()).toString('base64');
});
afterAll(async () => {
  await rm(models, { recursive: true, force: true });
});

describe('server: graceful shutdown', () => {
  it('close() finishes requests in flight, then stops listening', async () => {
    // A long batching wait keeps the request queued while shutdown starts.
    const s = await startTestServer(models, { maxWaitMs: 400 });
    const inFlight = postJson(`${s.url}/v1/classify`, { image });
    await new Promise((r) => setTimeout(r, 100));
    const closing = s.close();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.json.predictions.length).toBeGreaterThan(0);
    await closing;
    await expect(fetch(`${s.url}/v2/health/live`)).rejects.toThrow();
    expect(s.logs).toContainEqual(expect.stringMatching(/shutting down: draining 1 request/));
  });

  it('`sig serve` drains on SIGTERM and exits 0', async () => {
    const child = spawn(process.execPath, ['apps/trainer/bin/sig.js', 'serve', '--models', models, '--port', '0', '--host', '127.0.0.1', '--max-wait-ms', '400', '--intra-op-threads', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setInterval(() => {
          const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr);
          if (m) {
            clearInterval(t);
            resolve(m[1]);
          }
        }, 50);
        child.on('exit', () => {
          clearInterval(t);
          reject(new Error(`sig serve exited early: ${stderr}`));
        });
      });
      expect(stderr).toMatch(/model classifier .* loaded on cpu/);
      const inFlight = postJson(`${url}/v1/classify`, { image });
      await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      const r = await inFlight;
      expect(r.status).toBe(200);
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/SIGTERM received/);
      expect(stderr).toMatch(/stopped/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

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

/** Resolves once `check` is true (polling), so the test acts only when the request really waits in the queue. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting');
}

describe('server: graceful shutdown', () => {
  it('close() finishes requests in flight, then stops listening', async () => {
    // A long batching wait keeps the request queued while shutdown starts.
    const s = await startTestServer(models, { maxWaitMs: 3000 });
    const inFlight = postJson(`${s.url}/v1/classify`, { image });
    await until(() => s.registry.get('classifier')!.runner.queueDepth === 1);
    const closing = s.close();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.json.predictions.length).toBeGreaterThan(0);
    await closing;
    await expect(fetch(`${s.url}/v2/health/live`)).rejects.toThrow();
    expect(s.logs).toContainEqual(expect.stringMatching(/shutting down: draining 1 request/));
  });

  it('`sig serve` drains on SIGTERM and exits 0', async () => {
    const child = spawn(process.execPath, ['apps/trainer/bin/sig.js', 'serve', '--models', models, '--port', '0', '--host', '127.0.0.1', '--max-wait-ms', '3000', '--intra-op-threads', '1'], {
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
      await until(async () => /sig_queue_depth\{model="classifier"\} 1\n/.test(await (await fetch(`${url}/metrics`)).text()));
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

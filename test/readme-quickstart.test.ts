// The README's quick start, run as written: `npm start` (on a free port via PORT, with a fresh page folder so
// the page is built on start), then every line of its "Try it" block, from a folder that has the examples/.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '..');
let server: ChildProcess | undefined;
let port = 0;
let work = '';
let log = '';

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
    s.once('error', rej);
  });
}

/** The shell lines of the README block that follows "Try it". */
async function tryItLines(): Promise<string[]> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const block = /Try it[^]*?```sh\n([^]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no "Try it" sh block');
  return block[1].split('\n').filter((l) => l.trim() !== '');
}

beforeAll(async () => {
  port = await freePort();
  work = await mkdtemp(join(tmpdir(), 'sig-readme-'));
  await symlink(join(repoRoot, 'examples'), join(work, 'examples'));
  server = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), SIG_PORT: '', SIG_EDGE_DIR: join(work, 'edge'), SIG_INFERENCE_THREADS: '1', SIG_PREPROCESS_THREADS: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`npm start did not listen within 150 s:\n${log}`)), 150_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (/listening on/.test(log)) {
        clearTimeout(timer);
        res();
      }
    };
    server!.stdout!.on('data', onData);
    server!.stderr!.on('data', onData);
    server!.once('exit', (code) => rej(new Error(`npm start exited (${code}):\n${log}`)));
  });
}, 180_000);

afterAll(async () => {
  // npm → sh → node: the whole process group.
  if (server?.pid) process.kill(-server.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('README quick start', () => {
  it('npm start listens on PORT, prints one line per model with its provider, no npm warning, and builds the page', () => {
    expect(log).toMatch(new RegExp(`listening on http://0\\.0\\.0\\.0:${port} `));
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'models/manifest.json'), 'utf8')) as { models: { name: string }[] };
    for (const m of manifest.models) expect(log.split('\n').filter((l) => l.includes(`model ${m.name} (`))).toHaveLength(1);
    expect(log).toMatch(/loaded on (cpu|cuda|webgpu)/);
    expect(log).not.toMatch(/npm warn/i);
    expect(log).not.toMatch(/\[warn\]/);
    expect(log).toMatch(/built the browser page into/);
  });

  it('every line of "Try it" runs as written and gives the documented answers', async () => {
    const lines = await tryItLines();
    const out: string[] = [];
    for (const line of lines) {
      const r = await exec('bash', ['-c', line.replaceAll('localhost:8080', `localhost:${port}`)], { cwd: work, encoding: 'utf8', timeout: 60_000 });
      out.push(r.stdout);
    }
    const json = (i: number) => JSON.parse(out[i]);
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(json(at('health/ready'))).toEqual({ ready: true });
    const models = json(at('/v2/models'));
    for (const m of models.models) expect(m).toMatchObject({ demo: true, trainedOn: expect.stringMatching(/synthetic/) });
    const classify = json(at('signature-3.png localhost'));
    expect(classify.predictions[0].id).toBe('3');
    expect(classify.answeredBy[0]).toMatchObject({ model: 'classifier', demo: true });
    expect(json(at('signature-3.png localhost:8080/v1/authenticity')).verdict).toBe('genuine');
    expect(json(at('generated-3.png')).verdict).toBe('fake');
    expect(json(at('generated-3.png localhost:8080/v1/classify')).predictions[0].id).toBe('3');
    const generated = JSON.parse(await readFile(join(work, 'generated.json'), 'utf8'));
    expect(generated).toMatchObject({ id: '3', seed: 7 });
    for (const f of ['generated-1.png', 'generated-2.png']) {
      const meta = await sharp(join(work, f)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    }
  }, 120_000);

  it('serves the page at /edge/ with the models it loaded', async () => {
    const page = await fetch(`http://127.0.0.1:${port}/edge/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const manifest = await (await fetch(`http://127.0.0.1:${port}/edge/models/manifest.json`)).json();
    expect(manifest.models.map((m: { name: string }) => m.name)).toContain('classifier');
  });
});

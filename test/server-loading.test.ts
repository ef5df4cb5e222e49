import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import type { Logger } from '../apps/inference-server/src/log.ts';
import { ModelRegistry } from '../apps/inference-server/src/models/registry.ts';
import { OnnxSessionFactory } from '../apps/inference-server/src/models/session-factory.ts';
import { makeTestModels } from './server/fixtures.ts';

const batching = { batching: { maxBatchSize: 8, maxWaitMs: 1, maxQueue: 64 } };
const factoryOpts = { executionProviders: ['cuda', 'cpu'], graphOptimization: 'all' as const, intraOpThreads: 1, interOpThreads: 1, allowSpinning: false };

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, msg) => lines.push(`${level} ${msg}`) };
}

/** Where onnxruntime-node keeps its native libraries; the CUDA provider library is absent unless installed. */
function cudaProviderInstalled(): boolean {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(bin, 'libonnxruntime_providers_cuda.so'));
}

let models: string;
beforeAll(async () => {
  models = (await makeTestModels()).dir;
});
afterAll(async () => {
  await rm(models, { recursive: true, force: true });
});

/** A copy of the fixture models folder that a test may damage. */
async function copyModels(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sig-serve-copy-'));
  await cp(models, dir, { recursive: true });
  return dir;
}

describe('model registry', () => {
  it('loads every manifest model; with CUDA unavailable it falls back to CPU and reports why', async () => {
    const { log, lines } = capture();
    const reg = await ModelRegistry.load(models, new OnnxSessionFactory(factoryOpts, log), batching, log);
    try {
      expect(reg.list().map((m) => m.entry.name).sort()).toEqual(['classifier', 'generator', 'realfake']);
      expect(reg.refused).toEqual([]);
      for (const m of reg.list()) {
        expect(m.requestedProviders).toEqual(['cuda', 'cpu']);
        if (!cudaProviderInstalled()) {
          expect(m.provider).toBe('cpu');
          expect(m.fallbackReason).toMatch(/^cuda: .*(Cuda|CUDA|shared library)/);
        }
      }
      if (!cudaProviderInstalled()) {
        // One line per model, naming the provider it runs on and why CUDA could not load; no other line.
        expect(lines).toHaveLength(3);
        for (const l of lines) expect(l).toMatch(/^info model \S+ \(\w+, \d+ labels.*\) loaded on cpu \(cuda unavailable: .*(Cuda|CUDA|shared library)/);
      }
    } finally {
      await reg.close();
    }
  });

  it('with only the CPU provider requested there is no fallback', async () => {
    const { log } = capture();
    const reg = await ModelRegistry.load(models, new OnnxSessionFactory({ ...factoryOpts, executionProviders: ['cpu'] }, log), batching, log);
    try {
      expect(reg.get('classifier')?.provider).toBe('cpu');
      expect(reg.get('classifier')?.fallbackReason).toBeUndefined();
    } finally {
      await reg.close();
    }
  });

  it('refuses a corrupted or missing model file with a clear log line while the others still load', async () => {
    const dir = await copyModels();
    try {
      const bytes = await readFile(join(dir, 'classifier.onnx'));
      bytes[bytes.length >> 1] ^= 0xff;
      await writeFile(join(dir, 'classifier.onnx'), bytes);
      await rm(join(dir, 'generator.onnx'));
      const { log, lines } = capture();
      const reg = await ModelRegistry.load(dir, new OnnxSessionFactory(factoryOpts, log), batching, log);
      try {
        expect(reg.list().map((m) => m.entry.name)).toEqual(['realfake']);
        expect(reg.refused.map((r) => r.name).sort()).toEqual(['classifier', 'generator']);
        expect(lines).toContainEqual(expect.stringMatching(/^error model classifier refused: sha256 mismatch .*corrupted/));
        expect(lines).toContainEqual(expect.stringMatching(/^error model generator refused: file .*generator\.onnx is missing/));
        expect(() => reg.pick('classifier')).toThrow(/no classifier model is loaded/);
      } finally {
        await reg.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid manifest entry and keeps the valid ones', async () => {
    const dir = await copyModels();
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      manifest.models.find((m: { name: string }) => m.name === 'realfake').sha256 = 'not-a-hash';
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const { log, lines } = capture();
      const reg = await ModelRegistry.load(dir, new OnnxSessionFactory(factoryOpts, log), batching, log);
      try {
        expect(reg.list().map((m) => m.entry.name).sort()).toEqual(['classifier', 'generator']);
        expect(lines).toContainEqual(expect.stringMatching(/model realfake refused: invalid manifest entry \(sha256/));
      } finally {
        await reg.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing or empty manifest is a UserError with a clear message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sig-serve-empty-'));
    try {
      const { log } = capture();
      const factory = new OnnxSessionFactory(factoryOpts, log);
      await expect(ModelRegistry.load(dir, factory, batching, log)).rejects.toThrow(/no model manifest at .*manifest\.json/);
      await expect(ModelRegistry.load(dir, factory, batching, log)).rejects.toBeInstanceOf(UserError);
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, models: [] }));
      await expect(ModelRegistry.load(dir, factory, batching, log)).rejects.toThrow(/lists no models/);
      await writeFile(join(dir, 'manifest.json'), '{ nope');
      await expect(ModelRegistry.load(dir, factory, batching, log)).rejects.toThrow(/not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

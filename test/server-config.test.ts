import { describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { configFromEnv, parseConfig } from '../apps/inference-server/src/config.ts';
import { defaultMaxBatch, isSoftwareAdapter, resolveProviders, type WebGpuAdapter } from '../apps/inference-server/src/models/execution-providers.ts';

describe('server config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ modelsDir: 'models', port: 8080, executionProviders: ['auto'], graphOptimization: 'all', allowSpinning: false });
    expect(c.maxBatchSize).toBeUndefined(); // per provider: defaultMaxBatch
    expect(c.preprocessThreads).toBeGreaterThanOrEqual(1);
  });

  it('reads SIG_* variables, and flags given later win', () => {
    const env = configFromEnv({ SIG_PORT: '9000', SIG_EXECUTION_PROVIDERS: 'cpu', SIG_INTRA_OP_THREADS: '2', SIG_ALLOW_SPINNING: 'true', SIG_MODELS: '' });
    expect(env).toEqual({ port: 9000, executionProviders: ['cpu'], intraOpThreads: 2, allowSpinning: true });
    expect(parseConfig({ ...env, port: 1234 })).toMatchObject({ port: 1234, executionProviders: ['cpu'], intraOpThreads: 2, modelsDir: 'models' });
  });

  it('names the bad setting in a UserError', () => {
    expect(() => parseConfig(configFromEnv({ SIG_PORT: 'eighty' }))).toThrow(UserError);
    expect(() => parseConfig({ executionProviders: ['tpu'] })).toThrow(/executionProviders/);
    expect(() => parseConfig({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => parseConfig({ executionProviders: ['auto', 'cpu'] })).toThrow(/'auto' stands alone/);
    expect(parseConfig({ executionProviders: ['webgpu', 'cpu'] }).executionProviders).toEqual(['webgpu', 'cpu']);
  });
});

describe('execution providers', () => {
  const adapter = (a: Partial<WebGpuAdapter>): WebGpuAdapter => ({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...a });
  const hardware = adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' });
  const swiftshader = adapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true });

  it('tells software adapters (SwiftShader, llvmpipe, lavapipe, fallback) from hardware ones', () => {
    expect(isSoftwareAdapter(hardware)).toBe(false);
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', device: 'lavapipe' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'amd', isFallbackAdapter: true }))).toBe(true);
  });

  it("'auto' is cuda when installed, webgpu on a hardware adapter only, then cpu; an explicit list is kept", async () => {
    const on = (a: WebGpuAdapter) => async () => ({ adapter: a, software: isSoftwareAdapter(a) });
    expect((await resolveProviders(['auto'], on(hardware), () => true)).providers).toEqual(['cuda', 'webgpu', 'cpu']);
    expect((await resolveProviders(['auto'], on(hardware), () => false)).providers).toEqual(['webgpu', 'cpu']);
    const soft = await resolveProviders(['auto'], on(swiftshader), () => false);
    expect(soft.providers).toEqual(['cpu']);
    expect(soft.skipped.join('; ')).toMatch(/webgpu: the adapter is google swiftshader \(SwiftShader driver 5.0.0\), software/);
    const none = await resolveProviders(['auto'], async () => ({ reason: 'no Vulkan driver offers an adapter' }), () => false);
    expect(none.providers).toEqual(['cpu']);
    expect((await resolveProviders(['webgpu'], on(swiftshader), () => false)).providers).toEqual(['webgpu']);
  });

  it('batches more images on a GPU provider by default', () => {
    expect(defaultMaxBatch('cpu')).toBe(8);
    expect(defaultMaxBatch('webgpu')).toBeGreaterThan(8);
    expect(defaultMaxBatch('cuda')).toBeGreaterThan(8);
  });
});

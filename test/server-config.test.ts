import { describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { isSoftwareAdapter, type WebGpuAdapter } from '@sig/shared/node/webgpu-adapter.ts';
import { parseConfig, serverConfigFrom } from '../apps/inference-server/src/config.ts';
import { defaultMaxBatch, resolveProviders } from '../apps/inference-server/src/models/execution-providers.ts';

describe('server config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ modelsDir: 'models', port: 8080, executionProviders: ['auto'], graphOptimization: 'all', allowSpinning: false });
    expect(c.maxBatchSize).toBeUndefined(); // per provider: defaultMaxBatch
    expect(c.preprocessThreads).toBeGreaterThanOrEqual(1);
    expect(serverConfigFrom({})).toEqual(c);
  });

  it('reads SIG_* variables, and flags win over them', () => {
    const env = { SIG_PORT: '9000', SIG_EXECUTION_PROVIDERS: 'cpu', SIG_INTRA_OP_THREADS: '2', SIG_ALLOW_SPINNING: 'true', SIG_MODELS: '' };
    expect(serverConfigFrom({ env })).toMatchObject({ port: 9000, executionProviders: ['cpu'], intraOpThreads: 2, allowSpinning: true, modelsDir: 'models' });
    expect(serverConfigFrom({ env, flags: { port: '1234', maxBatchSize: '16' } })).toMatchObject({ port: 1234, maxBatchSize: 16, executionProviders: ['cpu'], intraOpThreads: 2 });
  });

  it('takes the port from PORT, and from SIG_PORT when both are set', () => {
    expect(serverConfigFrom({ env: { PORT: '3000' } }).port).toBe(3000);
    expect(serverConfigFrom({ env: { PORT: '3000', SIG_PORT: '9000' } }).port).toBe(9000);
  });

  it('names the bad setting in a UserError', () => {
    expect(() => serverConfigFrom({ env: { SIG_PORT: 'eighty' } })).toThrow(UserError);
    expect(() => serverConfigFrom({ env: { SIG_PORT: 'eighty' } })).toThrow("SIG_PORT must be an integer in [0, 65535] (got 'eighty')");
    expect(() => serverConfigFrom({ flags: { maxBatchSize: '1.5' } })).toThrow("--max-batch must be an integer in [1, 1024] (got '1.5')");
    expect(() => serverConfigFrom({ flags: { executionProviders: 'tpu' } })).toThrow(/^--providers: /);
    expect(() => serverConfigFrom({ env: { SIG_ALLOW_SPINNING: 'maybe' } })).toThrow('SIG_ALLOW_SPINNING must be true, false, 1 or 0');
    expect(() => parseConfig({ executionProviders: ['tpu'] })).toThrow(/executionProviders/);
    expect(() => parseConfig({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => parseConfig({ executionProviders: ['auto', 'cpu'] })).toThrow(/'auto' stands alone/);
    expect(() => serverConfigFrom({ env: { SIG_EXECUTION_PROVIDERS: 'auto,cpu' } })).toThrow("SIG_EXECUTION_PROVIDERS: 'auto' stands alone");
    expect(serverConfigFrom({ flags: { executionProviders: 'webgpu,cpu' } }).executionProviders).toEqual(['webgpu', 'cpu']);
  });

  it('takes a fractional wait but no fractional count', () => {
    expect(serverConfigFrom({ flags: { maxWaitMs: '1.5' } }).maxWaitMs).toBe(1.5);
    expect(() => serverConfigFrom({ flags: { inferenceThreads: '1.5' } })).toThrow(UserError);
  });
});

describe('execution providers', () => {
  const adapter = (a: Partial<WebGpuAdapter>): WebGpuAdapter => ({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...a });
  const hardware = adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' });
  const swiftshader = adapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true });
  const bundled = async () => true;

  it('tells software adapters (SwiftShader, llvmpipe, lavapipe, fallback) from hardware ones', () => {
    expect(isSoftwareAdapter(hardware)).toBe(false);
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', device: 'lavapipe' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'amd', isFallbackAdapter: true }))).toBe(true);
  });

  it("'auto' is cuda when installed, webgpu on a hardware adapter only, then cpu; an explicit list is kept", async () => {
    const on = (a: WebGpuAdapter) => async () => ({ adapter: a, software: isSoftwareAdapter(a) });
    expect((await resolveProviders(['auto'], on(hardware), () => true, bundled)).providers).toEqual(['cuda', 'webgpu', 'cpu']);
    expect((await resolveProviders(['auto'], on(hardware), () => false, bundled)).providers).toEqual(['webgpu', 'cpu']);
    const soft = await resolveProviders(['auto'], on(swiftshader), () => false, bundled);
    expect(soft.providers).toEqual(['cpu']);
    expect(soft.skipped.join('; ')).toMatch(/webgpu: the adapter is google swiftshader \(SwiftShader driver 5.0.0\), software/);
    const none = await resolveProviders(['auto'], async () => ({ reason: 'no Vulkan driver offers an adapter' }), () => false, bundled);
    expect(none.providers).toEqual(['cpu']);
    expect((await resolveProviders(['auto'], on(hardware), () => false, async () => false)).providers).toEqual(['cpu']);
    expect((await resolveProviders(['webgpu'], on(swiftshader), () => false, bundled)).providers).toEqual(['webgpu']);
    expect((await resolveProviders(['cuda', 'cpu'], on(hardware), () => false, bundled)).providers).toEqual(['cuda', 'cpu']);
  });

  it('batches more images on a GPU provider by default', () => {
    expect(defaultMaxBatch('cpu')).toBe(8);
    expect(defaultMaxBatch('webgpu')).toBeGreaterThan(8);
    expect(defaultMaxBatch('cuda')).toBeGreaterThan(8);
  });
});

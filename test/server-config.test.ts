import { describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { parseConfig, serverConfigFrom } from '../apps/inference-server/src/config.ts';

describe('server config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ modelsDir: 'models', port: 8080, executionProviders: ['cuda', 'cpu'], graphOptimization: 'all', maxBatchSize: 8, allowSpinning: false });
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
  });

  it('takes a fractional wait but no fractional count', () => {
    expect(serverConfigFrom({ flags: { maxWaitMs: '1.5' } }).maxWaitMs).toBe(1.5);
    expect(() => serverConfigFrom({ flags: { inferenceThreads: '1.5' } })).toThrow(UserError);
  });
});

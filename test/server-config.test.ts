import { describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { configFromEnv, parseConfig } from '../apps/inference-server/src/config.ts';

describe('server config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ modelsDir: 'models', port: 8080, executionProviders: ['cuda', 'cpu'], graphOptimization: 'all', maxBatchSize: 8, allowSpinning: false });
    expect(c.preprocessThreads).toBeGreaterThanOrEqual(1);
  });

  it('reads SIG_* variables, and flags given later win', () => {
    const env = configFromEnv({ SIG_PORT: '9000', SIG_EXECUTION_PROVIDERS: 'cpu', SIG_INTRA_OP_THREADS: '2', SIG_ALLOW_SPINNING: 'true', SIG_MODELS: '' });
    expect(env).toEqual({ port: 9000, executionProviders: ['cpu'], intraOpThreads: 2, allowSpinning: true });
    expect(parseConfig({ ...env, port: 1234 })).toMatchObject({ port: 1234, executionProviders: ['cpu'], intraOpThreads: 2, modelsDir: 'models' });
  });

  it('takes the port from PORT, and from SIG_PORT when both are set', () => {
    expect(configFromEnv({ PORT: '3000' })).toEqual({ port: 3000 });
    expect(configFromEnv({ PORT: '3000', SIG_PORT: '9000' })).toEqual({ port: 9000 });
  });

  it('names the bad setting in a UserError', () => {
    expect(() => parseConfig(configFromEnv({ SIG_PORT: 'eighty' }))).toThrow(UserError);
    expect(() => parseConfig({ executionProviders: ['tpu'] })).toThrow(/executionProviders/);
    expect(() => parseConfig({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
  });
});

// TensorFlow.js's WebGPU backend (training on a GPU) checked on a software GPU: the classifier's weight
// gradients against the reference `cpu` backend, then a model.fit epoch. It runs in a child process, the only
// one that sees the SwiftShader Vulkan driver (VK_ICD_FILENAMES in its environment).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { workersForBackend } from '../apps/trainer/src/backend/backend-setting.ts';
import { softwareGpuEnv, softwareGpuMissing } from './helpers/software-gpu.ts';

const run = promisify(execFile);
const missing = softwareGpuMissing();
const repoRoot = resolve(import.meta.dirname, '..');

describe.skipIf(missing !== undefined)(`training on WebGPU (software GPU)${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('--backend webgpu: the classifier\'s gradients match the cpu backend (max relative error ≤ 1e-4) and model.fit trains', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/webgpu-grad-child.ts'], { cwd: repoRoot, env: softwareGpuEnv(), encoding: 'utf8' });
    expect(stderr).toMatch(/backend: webgpu \(adapter: google swiftshader \(SwiftShader driver [\d.]+\), software\)/);
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { backend: string; tensors: number; lossCpu: number; lossGpu: number; maxRelGradError: number; fitLoss: number };
    expect(r.backend).toBe('webgpu');
    expect(r.tensors).toBeGreaterThan(10); // every conv, batch-norm and dense weight
    expect(Math.abs(r.lossGpu - r.lossCpu)).toBeLessThan(1e-5);
    expect(r.maxRelGradError).toBeLessThanOrEqual(1e-4);
    expect(Number.isFinite(r.fitLoss)).toBe(true);
  }, 300_000);
});

describe.skipIf(missing !== undefined)('training backend choice', () => {
  it('the automatic choice never takes a software WebGPU adapter, and says why', async () => {
    const code = "import { selectBackend } from './apps/trainer/src/backend/select.ts'; await selectBackend(undefined);";
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, env: softwareGpuEnv(), encoding: 'utf8' });
    expect(stdout).toMatch(/^backend: (wasm|cpu|tfjs-node)/m);
    expect(stdout).toMatch(/webgpu: the adapter is google swiftshader .*software \(--backend webgpu forces it\)/);
  });
});

describe('data-parallel workers on webgpu', () => {
  it('default to 1 (the GPU runs the whole batch); an explicit --workers > 1 is refused; other backends keep theirs', () => {
    expect(workersForBackend('webgpu', 2, false)).toBe(1);
    expect(workersForBackend('webgpu', 1, true)).toBe(1);
    expect(() => workersForBackend('webgpu', 2, true)).toThrow(/on webgpu use --workers 1/);
    expect(workersForBackend('wasm', 2, false)).toBe(2);
    expect(workersForBackend('wasm', 4, true)).toBe(4);
  });
});

import type { Command } from 'commander';

/** `sig info`: versions and environment, a quick check that the install works. */
export function register(program: Command): void {
  program
    .command('info')
    .description('print versions of the runtime pieces this install found, the WebGPU adapter and the default serve providers')
    .action(async () => {
      const { readFileSync } = await import('node:fs');
      const { createRequire } = await import('node:module');
      const require = createRequire(import.meta.url);
      const version = (pkg: string): string => {
        try {
          const p = require.resolve(`${pkg}/package.json`);
          return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
        } catch {
          return 'not installed';
        }
      };
      for (const pkg of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'webgpu', 'sharp']) {
        console.log(`${pkg.padEnd(32)} ${version(pkg)}`);
      }
      console.log(`${'node'.padEnd(32)} ${process.version}`);
      // What `sig serve` would run on by default, and the WebGPU adapter it sees (VK_ICD_FILENAMES picks a Vulkan driver).
      const { resolveProviders } = await import('@sig/inference-server');
      const { describeAdapter } = await import('@sig/shared/node/webgpu-adapter.ts');
      const resolved = await resolveProviders(['auto']);
      console.log(`${'WebGPU adapter'.padEnd(32)} ${resolved.adapter ? describeAdapter(resolved.adapter) : 'not probed'}`);
      console.log(`${'serve providers (auto)'.padEnd(32)} ${resolved.providers.join(', ')}${resolved.skipped.length ? ` (skipped ${resolved.skipped.join('; ')})` : ''}`);
    });
}

import type { Command } from 'commander';
import { ServerConfig, runServer, serverConfigEnv } from '@sig/inference-server';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig serve`: the inference server (Hono + onnxruntime-node) over the models in a manifest folder. */
export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description('serve the exported models over HTTP (lookup, authenticity, verify, generate, KServe v2, /metrics, /edge)');
  // Flags, SIG_* variables, help and defaults all come from the server's config schema.
  addSettingOptions(cmd, ServerConfig).action(async () => {
    await runServer(settingsFromCommand(ServerConfig, cmd, serverConfigEnv(process.env)));
  });
}

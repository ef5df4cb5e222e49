// @sig/inference-server's public entry: the one module other apps (the trainer's `sig serve`) import.
// The config schema loads at once (commands build their flags from it); the server itself (Hono,
// onnxruntime-node: seconds to load) only when started, so `sig --help` stays instant.
import type { RunningServer, ServerSettings } from './server.ts';

export { ServerConfig, parseConfig, serverConfigEnv, serverConfigFrom, type ServerConfigInput } from './config.ts';
export type { RunningServer, ServerSettings } from './server.ts';
// What `--providers auto` resolves to on this machine (sig info prints it); onnxruntime loads only when called.
export { resolveProviders, type ResolvedProviders } from './models/execution-providers.ts';
export type { Logger } from './log.ts';

/** Loads the models and starts listening (see server.ts). */
export async function startServer(...args: Parameters<typeof import('./server.ts').startServer>): Promise<RunningServer> {
  return (await import('./server.ts')).startServer(...args);
}

/** Starts the server and stops it gracefully on SIGTERM or SIGINT (the `sig serve` entry). */
export async function runServer(input: ServerSettings): Promise<RunningServer> {
  return (await import('./server.ts')).runServer(input);
}

/** The server-side gallery (storage, migrations, the models it embeds with), for `sig gallery`; loaded on demand. */
export function galleryModule(): Promise<typeof import('./gallery/index.ts')> {
  return import('./gallery/index.ts');
}

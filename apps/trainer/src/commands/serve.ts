import { InvalidArgumentError, type Command } from 'commander';

/** Parses an integer flag; commander passes the raw string. */
function int(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`not a number: ${value}`);
  return n;
}

/** `sig serve`: the inference server (Hono + onnxruntime-node) over the models in a manifest folder. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the exported models over HTTP (lookup, authenticity, verify, generate, KServe v2, /metrics, /edge)')
    .option('--models <dir>', 'folder with manifest.json and the .onnx files (env SIG_MODELS; default models)')
    .option('--port <n>', 'port, 0 for any free one (env SIG_PORT; default 8080)', int)
    .option('--host <addr>', 'address to listen on (env SIG_HOST; default 0.0.0.0)')
    .option('--providers <list>', 'execution providers in order of preference, of cuda,webgpu,cpu (env SIG_EXECUTION_PROVIDERS; default auto: cuda when installed, webgpu on a hardware adapter, cpu)')
    .option('--intra-op-threads <n>', 'threads within one operator, 0 = onnxruntime default (env SIG_INTRA_OP_THREADS)', int)
    .option('--inter-op-threads <n>', 'threads across operators, 0 = onnxruntime default (env SIG_INTER_OP_THREADS)', int)
    .option('--allow-spinning', 'let onnxruntime threads spin while idle (env SIG_ALLOW_SPINNING; default off: cores are shared)')
    .option('--graph-optimization <level>', 'disabled|basic|extended|all (env SIG_GRAPH_OPTIMIZATION; default all)')
    .option('--inference-threads <n>', 'worker threads running onnxruntime, one batch each at a time, 0 = on the event loop (env SIG_INFERENCE_THREADS; default 2)', int)
    .option('--inference-nice <n>', 'nice steps the inference threads run below the rest of the server, Linux (env SIG_INFERENCE_NICE; default 5)', int)
    .option('--preprocess-threads <n>', 'worker threads decoding and preprocessing uploads, 0 = none (env SIG_PREPROCESS_THREADS; default cores-1, 1..4)', int)
    .option('--max-batch <n>', 'most images per micro-batch (env SIG_MAX_BATCH; default 8 on cpu, 32 on a GPU provider)', int)
    .option('--max-wait-ms <ms>', 'longest wait for a batch to fill (env SIG_MAX_WAIT_MS; default 2)', int)
    .option('--max-queue <n>', 'most images waiting per model before 503 (env SIG_MAX_QUEUE; default 256)', int)
    .option('--body-limit <bytes>', 'largest request body (env SIG_BODY_LIMIT; default 10 MiB)', int)
    .option('--max-pixels <n>', 'largest decoded image in pixels (env SIG_MAX_PIXELS; default 40e6)', int)
    .action(async (o: Record<string, string | number | boolean | undefined>) => {
      const { runServer } = await import('@sig/inference-server/server.ts');
      const { configFromEnv } = await import('@sig/inference-server/config.ts');
      const flags = {
        modelsDir: o.models,
        port: o.port,
        host: o.host,
        executionProviders: typeof o.providers === 'string' ? o.providers.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        intraOpThreads: o.intraOpThreads,
        interOpThreads: o.interOpThreads,
        graphOptimization: o.graphOptimization,
        allowSpinning: o.allowSpinning === true ? true : undefined,
        inferenceThreads: o.inferenceThreads,
        inferenceNice: o.inferenceNice,
        preprocessThreads: o.preprocessThreads,
        maxBatchSize: o.maxBatch,
        maxWaitMs: o.maxWaitMs,
        maxQueue: o.maxQueue,
        bodyLimitBytes: o.bodyLimit,
        maxPixels: o.maxPixels,
      };
      const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
      await runServer({ ...configFromEnv(process.env), ...given });
    });
}

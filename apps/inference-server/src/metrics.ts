import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatcherHooks } from './batching/micro-batcher.ts';

/** The server's Prometheus metrics, in a registry of its own (several servers can share a process in tests). */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'sig_http_requests_total',
    help: 'HTTP requests by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'sig_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'sig_http_errors_total',
    help: 'Requests answered with an error, by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'sig_batch_size',
    help: 'Rows (images) per session run, by model',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly batchRequests = new Histogram({
    name: 'sig_batch_requests',
    help: 'Requests merged into one session run, by model',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  readonly inferenceSeconds = new Histogram({
    name: 'sig_inference_duration_seconds',
    help: 'Session run time per batch, by model',
    labelNames: ['model'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'sig_queue_depth',
    help: 'Rows waiting for a batch, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly modelProvider = new Gauge({
    name: 'sig_model_execution_provider',
    help: 'The execution provider each loaded model actually runs on (1 per model and provider)',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sig_' });
  }

  /** Batcher hooks that feed this model's batch and queue metrics. */
  batcherHooks(model: string): BatcherHooks {
    return {
      onBatch: (rows, requests, seconds) => {
        this.batchSize.observe({ model }, rows);
        this.batchRequests.observe({ model }, requests);
        this.inferenceSeconds.observe({ model }, seconds);
      },
      onQueueDepth: (rows) => this.queueDepth.set({ model }, rows),
    };
  }
}

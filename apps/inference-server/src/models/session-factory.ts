import * as ort from 'onnxruntime-node';
import { describeAdapter } from '@sig/shared/node/webgpu-adapter.ts';
import type { Logger } from '../log.ts';
import { resolveProviders, type ResolvedProviders } from './execution-providers.ts';

/** How sessions are created (a slice of the server config). */
export interface SessionFactoryOptions {
  executionProviders: readonly string[];
  graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpThreads: number;
  interOpThreads: number;
  allowSpinning: boolean;
}

/** A created session and where it actually runs. */
export interface CreatedSession {
  session: ort.InferenceSession;
  /** The execution provider in use (the first of the requested list that loaded). */
  provider: string;
  requested: string[];
  /** The WebGPU adapter, when the session runs on webgpu (e.g. "nvidia hopper (...), hardware"). */
  adapter?: string;
  /** Why earlier providers in the list were skipped (e.g. the CUDA libraries are missing). */
  fallbackReason?: string;
}

/** Creates onnxruntime-node sessions, falling back along the provider list when a provider cannot load. */
export class OnnxSessionFactory {
  private resolved?: Promise<ResolvedProviders>;

  constructor(
    private readonly opts: SessionFactoryOptions,
    private readonly log: Logger,
  ) {
    // A missing CUDA library makes onnxruntime print a multi-line error per session; our fallback log line
    // says it once. Only takes effect before the first session of the process.
    ort.env.logLevel = 'fatal';
  }

  /**
   * The provider list ('auto' expanded for this machine), worked out once. One log line says what 'auto'
   * chose and skipped, and which WebGPU adapter is there; an explicit list without webgpu needs none.
   */
  providers(): Promise<ResolvedProviders> {
    return (this.resolved ??= resolveProviders(this.opts.executionProviders).then((r) => {
      if (this.opts.executionProviders.includes('auto') || r.adapter) {
        const adapter = r.adapter ? `; WebGPU adapter: ${describeAdapter(r.adapter)}` : '';
        const skipped = r.skipped.length > 0 ? ` (skipped ${r.skipped.join('; ')})` : '';
        this.log('info', `execution providers: ${r.providers.join(', ')}${skipped}${adapter}`);
      }
      return r;
    }));
  }

  /** A session for the model bytes; `name` only labels log lines. Throws when no provider can load it. */
  async create(model: Uint8Array, name: string): Promise<CreatedSession> {
    const resolved = await this.providers();
    const requested = resolved.providers;
    const reasons: string[] = [];
    for (let i = 0; i < requested.length; i++) {
      const providers = requested.slice(i);
      try {
        const session = await ort.InferenceSession.create(model, this.sessionOptions(providers));
        const provider = providers[0];
        // The registry's one line per model reports the fallback (startupLine); no second line here.
        const fallbackReason = reasons.length > 0 ? reasons.join('; ') : undefined;
        const adapter = provider === 'webgpu' && resolved.adapter ? describeAdapter(resolved.adapter) : undefined;
        return { session, provider, requested, fallbackReason, ...(adapter ? { adapter } : {}) };
      } catch (err) {
        const message = firstLine(err);
        if (i === requested.length - 1) throw new Error(`cannot create an onnxruntime session: ${message}`);
        reasons.push(`${providers[0]}: ${message}`);
      }
    }
    throw new Error('no execution providers configured');
  }

  /** The session options for `providers` (also used to open the same model on the inference thread). */
  sessionOptions(providers: string[]): ort.InferenceSession.SessionOptions {
    const o: ort.InferenceSession.SessionOptions = {
      executionProviders: providers,
      graphOptimizationLevel: this.opts.graphOptimization,
      extra: { session: { intra_op: { allow_spinning: this.opts.allowSpinning ? '1' : '0' }, inter_op: { allow_spinning: this.opts.allowSpinning ? '1' : '0' } } },
    };
    if (this.opts.intraOpThreads > 0) o.intraOpNumThreads = this.opts.intraOpThreads;
    if (this.opts.interOpThreads > 0) o.interOpNumThreads = this.opts.interOpThreads;
    return o;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
}

import {
  SignatureUseCases,
  UserError,
  type AuthenticityResponse,
  type ClassifyRequest,
  type ClassifyResponse,
  type GenerateRequest,
  type GenerateResponse,
  type ModelSource,
  type Preparer,
  type VerifyRequest,
  type VerifyResponse,
} from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import type { Logger } from './log.ts';
import { NodeTensor, type ModelRegistry } from './models/registry.ts';
import type { PreprocessPool } from './preprocess/pool.ts';

/** The registry as the use cases see it: loaded entries, each run through its micro-batched session. */
export function registryModels(registry: ModelRegistry): ModelSource {
  return {
    entries: () => registry.list().map((m) => m.entry),
    context: (entry) => ({ session: registry.get(entry.name)!.runner, Tensor: NodeTensor }),
  };
}

/**
 * Upload bytes → decoded and preprocessed on the pool, once per distinct configuration. An image the
 * preprocessing cannot handle is the client's problem (422), not a 500.
 */
export function poolPreparer(pool: PreprocessPool, maxPixels: number, log: Logger): Preparer<Uint8Array> {
  return async (bytes, configs) => {
    try {
      return await pool.prepare(bytes, maxPixels, configs);
    } catch (err) {
      if (err instanceof UserError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      log('warn', `preprocessing failed: ${msg}`);
      throw new UserError(`cannot preprocess this image: ${msg}`, 422);
    }
  };
}

/**
 * The server's closed-set use cases: the shared ones (packages/shared/src/usecases) over the registry's
 * sessions and the preprocessing pool; generated images leave as PNG. Plain class, no HTTP.
 */
export class SignatureService {
  private readonly uc: SignatureUseCases<Uint8Array>;

  constructor(registry: ModelRegistry, pool: PreprocessPool, opts: { maxPixels: number }, log: Logger) {
    this.uc = new SignatureUseCases(registryModels(registry), poolPreparer(pool, opts.maxPixels, log));
  }

  /** Registration-desk lookup: top-k student IDs. */
  classify(image: Uint8Array, req: Omit<ClassifyRequest, 'image'>): Promise<ClassifyResponse> {
    return this.uc.classify(image, req);
  }

  /** Authenticity: p(genuine), verdict, threshold. */
  authenticity(image: Uint8Array, req: { model?: string }): Promise<AuthenticityResponse> {
    return this.uc.authenticity(image, req);
  }

  /** Verification with the classifier: the claimed ID must be the top-1 identity and the signature judged genuine. */
  verify(image: Uint8Array, req: Omit<VerifyRequest, 'image'>): Promise<VerifyResponse> {
    return this.uc.verify(image, req);
  }

  /** Conditional generation: PNGs, the same bytes for the same model, ID, count, seed (drawn when not given) and truncation. */
  async generate(req: GenerateRequest): Promise<GenerateResponse> {
    const out = await this.uc.generate(req);
    const images = await Promise.all(
      out.images.map(async (g) => ({ png: Buffer.from(await encodePng(g)).toString('base64'), width: g.width, height: g.height })),
    );
    return { model: out.model, id: req.id, seed: out.seed, truncation: out.truncation, images, answeredBy: out.answeredBy };
  }
}

import { randomInt } from 'node:crypto';
import {
  GENERATE_MAX_SEED,
  UserError,
  answeredBy,
  authenticity,
  classify,
  generate,
  type AuthenticityResponse,
  type ClassifyRequest,
  type ClassifyResponse,
  type FloatImage,
  type GenerateRequest,
  type GenerateResponse,
  type ModelEntry,
  type VerifyRequest,
  type VerifyResponse,
} from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import type { Logger } from './log.ts';
import { NodeTensor, type LoadedModel, type ModelRegistry } from './models/registry.ts';
import type { PreprocessPool } from './preprocess/pool.ts';

/**
 * The server's use cases over the model registry: upload bytes → decode and preprocess (per the model's
 * manifest entry, on the preprocessing pool) → the shared pipeline → response bodies. Plain class, no HTTP.
 */
export class SignatureService {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly pool: PreprocessPool,
    private readonly opts: { maxPixels: number },
    private readonly log: Logger,
  ) {}

  /** Registration-desk lookup: top-k student IDs. */
  async classify(image: Uint8Array, req: Omit<ClassifyRequest, 'image'>): Promise<ClassifyResponse> {
    const model = this.registry.pick('classifier', req.model);
    const [x] = await this.prepare(image, [model.entry]);
    const [r] = await classify(this.ctx(model), model.entry, [x], { topK: req.topK });
    return { model: model.entry.name, predictions: r.top.map((p) => ({ id: p.label, probability: p.probability })), answeredBy: [answeredBy(model.entry)] };
  }

  /** Authenticity: p(genuine), verdict, threshold. */
  async authenticity(image: Uint8Array, req: { model?: string }): Promise<AuthenticityResponse> {
    const model = this.registry.pick('realfake', req.model);
    const [x] = await this.prepare(image, [model.entry]);
    const [r] = await authenticity(this.ctx(model), model.entry, [x]);
    return { model: model.entry.name, ...r, answeredBy: [answeredBy(model.entry)] };
  }

  /** Verification: the claimed ID must be the top-1 identity and the signature judged genuine. */
  async verify(image: Uint8Array, req: Omit<VerifyRequest, 'image'>): Promise<VerifyResponse> {
    const clf = this.registry.pick('classifier', req.classifierModel);
    const rf = this.registry.pick('realfake', req.realfakeModel);
    const index = clf.entry.labels.indexOf(req.claimedId);
    if (index < 0) throw new UserError(`unknown ID '${req.claimedId}' for model ${clf.entry.name}`, 404);
    const [xc, xr] = await this.prepare(image, [clf.entry, rf.entry]);
    const [ident, auth] = await Promise.all([
      classify(this.ctx(clf), clf.entry, [xc], { topK: 3 }).then((r) => r[0]),
      authenticity(this.ctx(rf), rf.entry, [xr]).then((r) => r[0]),
    ]);
    const probability = ident.probabilities[index];
    const rank = 1 + ident.probabilities.filter((p, i) => p > probability || (p === probability && i < index)).length;
    const match = rank === 1 && probability >= req.minIdentity;
    const reasons: string[] = [];
    if (rank !== 1) reasons.push(`claimed ID ranks ${rank}; the most likely ID is ${ident.top[0].label}`);
    else if (!match) reasons.push(`claimed ID probability ${probability.toFixed(3)} is below minIdentity ${req.minIdentity}`);
    if (auth.verdict !== 'genuine') reasons.push(`judged not genuine (p=${auth.pGenuine.toFixed(3)} < ${auth.threshold})`);
    return {
      accepted: reasons.length === 0,
      claimedId: req.claimedId,
      identity: { match, probability, rank, top: ident.top.map((p) => ({ id: p.label, probability: p.probability })) },
      authenticity: auth,
      reasons,
      models: { classifier: clf.entry.name, realfake: rf.entry.name },
      answeredBy: [answeredBy(clf.entry), answeredBy(rf.entry)],
    };
  }

  /** Conditional generation: PNGs, the same bytes for the same model, ID, count and seed (drawn when not given). */
  async generate(req: GenerateRequest): Promise<GenerateResponse> {
    const model = this.registry.pick('generator', req.model);
    const seed = req.seed ?? randomInt(GENERATE_MAX_SEED + 1);
    const grays = await generate(this.ctx(model), model.entry, { label: req.id, count: req.count, seed });
    const images = await Promise.all(
      grays.map(async (g) => ({ png: Buffer.from(await encodePng(g)).toString('base64'), width: g.width, height: g.height })),
    );
    return { model: model.entry.name, id: req.id, seed, images, answeredBy: [answeredBy(model.entry)] };
  }

  private ctx(model: LoadedModel) {
    return { session: model.runner, Tensor: NodeTensor };
  }

  /**
   * Decodes the upload once and preprocesses it for each entry's manifest configuration. An image the
   * preprocessing cannot handle is the client's problem (422), not a 500.
   */
  private async prepare(bytes: Uint8Array, entries: ModelEntry[]): Promise<FloatImage[]> {
    const keys = entries.map((e) => JSON.stringify(e.preprocess));
    const unique = [...new Set(keys)];
    let images: FloatImage[];
    try {
      images = await this.pool.prepare(bytes, this.opts.maxPixels, unique.map((k) => JSON.parse(k)));
    } catch (err) {
      if (err instanceof UserError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      this.log('warn', `preprocessing failed: ${msg}`);
      throw new UserError(`cannot preprocess this image: ${msg}`, 422);
    }
    return entries.map((e, i) => {
      const x = images[unique.indexOf(keys[i])];
      if (x.width !== e.preprocess.width || x.height !== e.preprocess.height) {
        throw new Error(`preprocess returned ${x.width}x${x.height}, ${e.name} takes ${e.preprocess.width}x${e.preprocess.height}`);
      }
      return x;
    });
  }
}

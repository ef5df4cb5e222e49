// The closed-set use cases (trained classifier, real/fake detector, generator) over any host's models:
// pick the model, preprocess once per configuration, run the shared pipeline, shape the API answer.
import type { FloatImage, GrayImage } from '../image/types.ts';
import { UserError } from '../errors.ts';
import { authenticity } from '../pipeline/authenticity.ts';
import { classify } from '../pipeline/classify.ts';
import { effectiveTruncation, generateFloat } from '../pipeline/generate.ts';
import { floatToGray } from '../preprocess/index.ts';
import { answeredBy } from '../pipeline/answered-by.ts';
import { GENERATE_MAX_SEED, type AnsweredBy, type AuthenticityResponse, ClassifyRequest, ClassifyResponse, GenerateRequest, VerifyRequest, VerifyResponse } from '../schemas/api.ts';
import { pickModel, prepareFor, type ModelSource, type Preparer } from './models.ts';

/** Generated signatures: 8-bit images (paper white) and the generator's raw outputs. */
export interface GenerateOutput {
  model: string;
  id: string;
  seed: number;
  /** The latent truncation drawn with (null: none). */
  truncation: number | null;
  images: GrayImage[];
  answeredBy: AnsweredBy[];
  floats: FloatImage[];
}

/** classify, authenticity, closed-set verify and generate, written once for server, CLI and page. */
export class SignatureUseCases<I> {
  constructor(
    private readonly models: ModelSource,
    private readonly prepare: Preparer<I>,
  ) {}

  /** Registration-desk lookup with the trained classifier: top-k student IDs. */
  async classify(input: I, req: Partial<Omit<ClassifyRequest, 'image'>>): Promise<ClassifyResponse> {
    const entry = pickModel(this.models, 'classifier', req.model);
    const [x] = await prepareFor(this.prepare, input, [entry]);
    const [r] = await classify(await this.models.context(entry), entry, [x], { topK: req.topK });
    return { model: entry.name, predictions: r.top.map((p) => ({ id: p.label, probability: p.probability })), answeredBy: [answeredBy(entry)] };
  }

  /** Authenticity: p(genuine), verdict, threshold. */
  async authenticity(input: I, req: { model?: string }): Promise<AuthenticityResponse> {
    const entry = pickModel(this.models, 'realfake', req.model);
    const [x] = await prepareFor(this.prepare, input, [entry]);
    const [r] = await authenticity(await this.models.context(entry), entry, [x]);
    return { model: entry.name, ...r, answeredBy: [answeredBy(entry)] };
  }

  /** Closed-set verification: the claimed ID must be the classifier's top-1 identity and the signature judged genuine. */
  async verify(input: I, req: Omit<VerifyRequest, 'image'>): Promise<VerifyResponse> {
    const clf = pickModel(this.models, 'classifier', req.classifierModel);
    const rf = pickModel(this.models, 'realfake', req.realfakeModel);
    const index = clf.labels.indexOf(req.claimedId);
    if (index < 0) throw new UserError(`unknown ID '${req.claimedId}' for model ${clf.name}`, 404);
    const [xc, xr] = await prepareFor(this.prepare, input, [clf, rf]);
    const [ident, auth] = await Promise.all([
      Promise.resolve(this.models.context(clf)).then((ctx) => classify(ctx, clf, [xc], { topK: 3 })).then((r) => r[0]),
      Promise.resolve(this.models.context(rf)).then((ctx) => authenticity(ctx, rf, [xr])).then((r) => r[0]),
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
      models: { classifier: clf.name, realfake: rf.name },
      answeredBy: [answeredBy(clf), answeredBy(rf)],
    };
  }

  /**
   * Conditional generation: the same model, ID, count, seed and truncation give the same pixels; without a seed
   * one is drawn (and returned); without a truncation the model's default applies ('none': plain normals).
   */
  async generate(req: Pick<GenerateRequest, 'id' | 'count' | 'model' | 'truncation'> & { seed?: number }): Promise<GenerateOutput> {
    const entry = pickModel(this.models, 'generator', req.model);
    const seed = req.seed ?? Math.floor(Math.random() * (GENERATE_MAX_SEED + 1));
    const truncation = effectiveTruncation(entry, { truncation: req.truncation === 'none' ? null : req.truncation });
    const floats = await generateFloat(await this.models.context(entry), entry, { label: req.id, count: req.count, seed, truncation });
    const images = floats.map((f) => floatToGray(f, entry.preprocess.range));
    return { model: entry.name, id: req.id, seed, truncation: Number.isFinite(truncation) ? truncation : null, floats, images, answeredBy: [answeredBy(entry)] };
  }
}

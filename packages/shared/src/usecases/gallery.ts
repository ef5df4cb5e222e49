// The enrolment gallery's use cases, written once for server, CLI and page: enrol without retraining,
// open-set identify ("not enrolled" below the calibrated threshold), verify a claimed ID against that
// student's references (plus the real/fake check when a detector is loaded), re-embed after a model change.
// Storage is the host's (SQL on the server and CLI, IndexedDB in the page); search is the in-memory index.
import { UserError } from '../errors.ts';
import { answeredBy } from '../pipeline/answered-by.ts';
import { authenticity } from '../pipeline/authenticity.ts';
import { embed } from '../pipeline/embed.ts';
import type {
  EnrolResponse,
  GalleryList,
  GalleryStudent,
  GalleryVerifyRequest,
  GalleryVerifyResponse,
  IdentifyRequest,
  IdentifyResponse,
  ThresholdName,
  ThresholdUsed,
} from '../schemas/gallery.ts';
import { embeddingSpec, THRESHOLD_FAR } from '../schemas/gallery.ts'; // values (the line above is types only)
import type { ModelEntry } from '../schemas/manifest.ts';
import { galleryFileLines, readGalleryFile } from './gallery-file.ts';
import { EmbeddingIndex } from './gallery-index.ts';
import { modelTag, tagKey, type GalleryLimits, type GalleryStore, type ModelTag } from './gallery-store.ts';
import { findModel, pickModel, prepareFor, type ModelSource, type Preparer } from './models.ts';

/** What the host supplies besides models and storage: how its inputs become and come back from stored PNGs. */
export interface GalleryDeps<I> {
  models: ModelSource;
  prepare: Preparer<I>;
  store: GalleryStore;
  limits: GalleryLimits;
  /** The input as PNG bytes to store (kept to re-embed when the model changes). */
  toPng(input: I): Promise<Uint8Array>;
  /** A stored PNG as an input again (re-embedding). */
  fromPng(png: Uint8Array): I | Promise<I>;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** Generous defaults: 32 references per student, one million in all. */
export const DEFAULT_GALLERY_LIMITS: GalleryLimits = { maxReferencesPerStudent: 32, maxReferences: 1_000_000 };

/** The in-memory index of one embedding model and the store change counter it reflects. */
interface IndexState {
  tag: ModelTag;
  index: EmbeddingIndex;
  rev: number;
  /** Stored references without an embedding of this model (another version's, or none): never compared. */
  unindexed: number;
  /** Serialises catch-ups so changes apply in order. */
  lock: Promise<void>;
}

export class Gallery<I> {
  private readonly states = new Map<string, Promise<IndexState>>();

  constructor(private readonly deps: GalleryDeps<I>) {}

  /** The embedding model a request uses (named, or the first loaded). */
  model(name?: string): ModelEntry {
    return pickModel(this.deps.models, 'embedding', name);
  }

  /** Enrols `id` (replace: its references become `inputs`) or adds references to it, in one transaction. */
  async enrol(id: string, inputs: readonly I[], opts: { name?: string; replace: boolean; model?: string }): Promise<EnrolResponse> {
    if (inputs.length === 0) throw new UserError('no reference images');
    const entry = this.model(opts.model);
    embeddingSpec(entry);
    const state = await this.state(entry);
    const xs = (await Promise.all(inputs.map((i) => prepareFor(this.deps.prepare, i, [entry])))).map((x) => x[0]);
    const vectors = await embed(await this.deps.models.context(entry), entry, xs);
    const pngs = await Promise.all(inputs.map((i) => this.deps.toPng(i)));
    const { student } = await this.deps.store.write(
      { id, name: opts.name },
      pngs.map((png, i) => ({ png, vector: vectors[i] })),
      state.tag,
      { replace: opts.replace, limits: this.deps.limits },
    );
    await this.catchUp(state);
    return { ...student, added: inputs.length, model: entry.name };
  }

  /** Open-set lookup: the top-k enrolled students, and `match: null` ("not enrolled") below the threshold. */
  async identify(input: I, req: Partial<Omit<IdentifyRequest, 'image'>>): Promise<IdentifyResponse> {
    const entry = this.model(req.model);
    // far1 by default: open1 is calibrated on a development gallery of ~10 writers and accepts more strangers
    // in larger galleries (docs/evaluation-verification.md, "Scored as served, the other half, and the open-set threshold").
    const threshold = this.threshold(entry, req.threshold ?? 'far1');
    const state = await this.ready(entry);
    const [x] = await prepareFor(this.deps.prepare, input, [entry]);
    const [q] = await embed(await this.deps.models.context(entry), entry, [x]);
    const candidates = state.index.search(q, req.topK ?? 5);
    const best = candidates[0];
    return {
      model: entry.name,
      match: best && best.similarity >= threshold.value ? best : null,
      candidates,
      threshold,
      gallery: { students: state.index.students, references: state.index.size, unindexed: state.unindexed },
      answeredBy: [answeredBy(entry)],
    };
  }

  /**
   * Verification of a claimed ID: the best similarity to that student's references against the threshold,
   * and the real/fake verdict when a detector is loaded (identity only when none is).
   */
  async verify(input: I, req: Partial<Omit<GalleryVerifyRequest, 'image'>> & { claimedId: string }): Promise<GalleryVerifyResponse> {
    const entry = this.model(req.embeddingModel);
    const threshold = this.threshold(entry, req.threshold ?? 'far1');
    const rf = findModel(this.deps.models, 'realfake', req.realfakeModel);
    const state = await this.ready(entry);
    const [x, xr] = await prepareFor(this.deps.prepare, input, rf ? [entry, rf] : [entry]);
    const [[q], auth] = await Promise.all([
      Promise.resolve(this.deps.models.context(entry)).then((ctx) => embed(ctx, entry, [x])),
      rf ? Promise.resolve(this.deps.models.context(rf)).then((ctx) => authenticity(ctx, rf, [xr])).then((r) => r[0]) : null,
    ]);
    const scores = state.index.scoreStudent(q, req.claimedId);
    if (scores.length === 0) {
      const student = await this.deps.store.get(req.claimedId);
      if (!student) throw new UserError(`ID '${req.claimedId}' is not enrolled`, 404);
      throw new UserError(
        `the references of '${req.claimedId}' were embedded by another model version and are not re-embedded yet for ${entry.name} (run sig gallery reembed)`,
        409,
      );
    }
    const score = Math.max(...scores);
    const reasons: string[] = [];
    if (score < threshold.value) {
      reasons.push(`similarity ${score.toFixed(3)} to the references of '${req.claimedId}' is below the ${threshold.far} threshold ${threshold.value.toFixed(3)}`);
    }
    if (auth && auth.verdict !== 'genuine') reasons.push(`judged not genuine (p=${auth.pGenuine.toFixed(3)} < ${auth.threshold})`);
    return {
      accepted: reasons.length === 0,
      claimedId: req.claimedId,
      score,
      threshold,
      references: scores.length,
      authenticity: auth,
      reasons,
      models: { embedding: entry.name, realfake: rf?.name ?? null },
      answeredBy: rf ? [answeredBy(entry), answeredBy(rf)] : [answeredBy(entry)],
    };
  }

  /** One enrolled student, or a 404. */
  async get(id: string): Promise<GalleryStudent> {
    const s = await this.deps.store.get(id);
    if (!s) throw new UserError(`ID '${id}' is not enrolled`, 404);
    return s;
  }

  async list(page: { offset: number; limit: number }): Promise<GalleryList> {
    const r = await this.deps.store.list(page);
    return { ...page, ...r };
  }

  /** Deletes a student's images and embeddings; a 404 when there is none. */
  async remove(id: string): Promise<void> {
    if (!(await this.deps.store.remove(id))) throw new UserError(`ID '${id}' is not enrolled`, 404);
    for (const s of this.states.values()) await this.catchUp(await s);
  }

  /**
   * Embeds again, with `model`, every reference that has no embedding of it (stored by another model
   * version), in batches; the old model's vectors are dropped. Images that no longer preprocess are reported.
   */
  async reembed(opts: { model?: string; batch?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<{ reembedded: number; failed: number; remaining: number }> {
    const entry = this.model(opts.model);
    const state = await this.state(entry);
    const batch = opts.batch ?? 32;
    const ctx = await this.deps.models.context(entry);
    let reembedded = 0;
    let failed = 0;
    const skip = new Set<string>();
    for (;;) {
      const { total, refs } = await this.deps.store.pending(state.tag, batch + skip.size);
      const todo = refs.filter((r) => !skip.has(r.signatureId)).slice(0, batch);
      opts.onProgress?.(reembedded, reembedded + total - skip.size);
      if (todo.length === 0) {
        state.unindexed = total;
        await this.catchUp(state);
        return { reembedded, failed, remaining: total };
      }
      const ok: { signatureId: string; vector: Float32Array }[] = [];
      const xs = [];
      for (const r of todo) {
        try {
          xs.push((await prepareFor(this.deps.prepare, await this.deps.fromPng(r.png), [entry]))[0]);
          ok.push({ signatureId: r.signatureId, vector: new Float32Array(0) });
        } catch (err) {
          skip.add(r.signatureId);
          failed++;
          this.deps.log?.('warn', `reference ${r.signatureId} of '${r.studentId}' cannot be re-embedded: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (xs.length > 0) {
        const vectors = await embed(ctx, entry, xs);
        ok.forEach((r, i) => (r.vector = vectors[i]));
        await this.deps.store.setEmbeddings(state.tag, ok);
        reembedded += ok.length;
      }
    }
  }

  /** Gallery size for `model`: students and references searched, and references not yet re-embedded. */
  async status(model?: string): Promise<{ model: string; students: number; references: number; unindexed: number }> {
    const entry = this.model(model);
    const s = await this.ready(entry);
    return { model: entry.name, students: s.index.students, references: s.index.size, unindexed: s.unindexed };
  }

  /** Loads the index of every loaded embedding model now (start-up), and reports references of other versions. */
  async warm(): Promise<void> {
    for (const e of this.deps.models.entries()) {
      if (e.kind !== 'embedding') continue;
      const s = await this.state(e);
      if (s.unindexed > 0) {
        this.deps.log?.('warn', `gallery: ${s.unindexed} reference(s) have no embedding of ${e.name} ${e.version} (another model version); they are not compared until re-embedded`);
      }
    }
  }

  /** The whole gallery as the lines of a gallery file (a student at a time; see gallery-file.ts). */
  exportFile(): AsyncGenerator<string> {
    return galleryFileLines(this.deps.store.exportAll());
  }

  /**
   * Imports a gallery file: each student replaces the one with that ID (one transaction each). `open` is
   * called twice: the whole file is checked first, so a bad line imports nothing. Embeddings of another
   * model version come along but are not compared until re-embedded (reported as unindexed).
   */
  async importFile(open: () => AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<{ students: number; references: number }> {
    for await (const _ of readGalleryFile(open()));
    let students = 0, references = 0;
    for await (const s of readGalleryFile(open())) {
      await this.deps.store.importStudent(s);
      students++;
      references += s.signatures.length;
    }
    for (const p of this.states.values()) {
      const s = await p;
      await this.catchUp(s);
      s.unindexed = (await this.deps.store.pending(s.tag, 0)).total;
    }
    return { students, references };
  }

  /** Other processes' writes (a shared store) become visible after this; local writes catch up themselves. */
  async refresh(): Promise<void> {
    for (const s of this.states.values()) await this.catchUp(await s);
  }

  private threshold(entry: ModelEntry, name: ThresholdName): ThresholdUsed {
    const value = embeddingSpec(entry).thresholds[name];
    if (value === undefined) throw new UserError(`embedding model '${entry.name}' has no ${name} threshold (calibrate it: sig calibrate --model <models folder> --data <development writers>)`, 400);
    return { name, value, far: THRESHOLD_FAR[name] };
  }

  /** The index of `entry`, caught up with other processes' writes when the store is shared. */
  private async ready(entry: ModelEntry): Promise<IndexState> {
    const state = await this.state(entry);
    if (this.deps.store.shared) await this.catchUp(state);
    return state;
  }

  private state(entry: ModelEntry): Promise<IndexState> {
    const tag = modelTag(entry);
    const key = tagKey(tag);
    let s = this.states.get(key);
    if (!s) {
      const { dim } = embeddingSpec(entry);
      s = (async () => {
        const { rev, refs } = await this.deps.store.embeddings(tag);
        const index = new EmbeddingIndex(dim, Math.max(1024, refs.length));
        index.add(refs);
        const { total } = await this.deps.store.pending(tag, 0);
        return { tag, index, rev, unindexed: total, lock: Promise.resolve() };
      })();
      this.states.set(key, s);
      s.catch(() => this.states.delete(key));
    }
    return s;
  }

  /** Applies the students changed since the index's rev (removed, then their current embeddings added). */
  private catchUp(state: IndexState): Promise<void> {
    const run = state.lock.then(async () => {
      const ch = await this.deps.store.changesSince(state.rev, state.tag);
      if (ch.rev === state.rev) return;
      for (const id of ch.students) state.index.removeStudent(id);
      state.index.add(ch.refs);
      state.rev = ch.rev;
      if (this.deps.store.shared) state.unindexed = (await this.deps.store.pending(state.tag, 0)).total;
    });
    state.lock = run.catch(() => undefined);
    return run;
  }
}

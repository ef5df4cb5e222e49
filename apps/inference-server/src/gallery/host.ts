// The server's gallery: opened at start when an embedding model is loaded. When its database cannot be
// reached (PostgreSQL down), the gallery routes answer 503 with Retry-After and it is opened again on a
// later request; the other routes never wait for it.
import { UserError, type Gallery, type ModelSource, type Preparer } from '@sig/shared';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { openNodeGallery } from './node-gallery.ts';
import type { SqlGalleryStore } from './sql-store.ts';
import { StoreUnavailableError } from './sql.ts';

export class GalleryHost {
  private gallery?: Gallery<Uint8Array>;
  private store?: SqlGalleryStore;
  private opening?: Promise<Gallery<Uint8Array>>;
  private lastError = '';
  private closed = false;
  private reembedding?: Promise<void>;

  constructor(
    private readonly models: ModelSource,
    private readonly prepare: Preparer<Uint8Array>,
    private readonly config: ServerConfig,
    private readonly log: Logger,
  ) {}

  /** True when an embedding model is loaded (the gallery routes and gallery verification are on). */
  get enabled(): boolean {
    return this.models.entries().some((e) => e.kind === 'embedding');
  }

  /** Where the gallery lives, for logs. */
  get location(): string {
    return this.config.databaseUrl ? this.config.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : this.config.galleryDataDir;
  }

  /** Opens it now (start-up); an unreachable database is logged, not fatal. */
  async start(): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.get();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      this.log('error', `gallery: ${err.message}; gallery routes answer 503 until it is reachable`);
    }
  }

  /** The open gallery; opens it on first use (or again after the database was unreachable). */
  get(): Promise<Gallery<Uint8Array>> {
    if (!this.enabled) return Promise.reject(new UserError('no embedding model is loaded on this server: the gallery needs one (kind "embedding" in models/manifest.json)', 503));
    if (this.closed) return Promise.reject(new StoreUnavailableError('server is shutting down'));
    if (this.gallery) return Promise.resolve(this.gallery);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Gallery<Uint8Array>> {
    const { gallery, store, migrated } = await openNodeGallery({
      models: this.models,
      prepare: this.prepare,
      db: { dataDir: this.config.galleryDataDir, databaseUrl: this.config.databaseUrl },
      limits: { maxReferencesPerStudent: this.config.galleryMaxReferencesPerStudent, maxReferences: this.config.galleryMaxReferences },
      maxPixels: this.config.maxPixels,
      log: this.log,
    }).catch((err) => {
      const msg = err instanceof Error ? err.message : String(err);
      if (msg !== this.lastError) this.log('error', `gallery: cannot open ${this.location}: ${msg}`);
      this.lastError = msg;
      throw err instanceof StoreUnavailableError || err instanceof UserError ? err : new StoreUnavailableError(msg);
    });
    try {
      await gallery.warm();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await store.close();
      throw new StoreUnavailableError('server is shutting down');
    }
    this.lastError = '';
    this.gallery = gallery;
    this.store = store;
    const s = await gallery.status();
    this.log(
      'info',
      `gallery: ${store.db.engine} at ${store.db.location}${migrated.length ? ` (migrations ${migrated.join(', ')} applied)` : ''}; ${s.students} student(s), ${s.references} reference(s) for ${s.model}`,
    );
    if (this.config.galleryAutoReembed) this.reembedInBackground(gallery);
    return gallery;
  }

  /** References of another model version are embedded again with the loaded one (they are not compared meanwhile). */
  private reembedInBackground(gallery: Gallery<Uint8Array>): void {
    const models = this.models.entries().filter((e) => e.kind === 'embedding');
    this.reembedding = (async () => {
      for (const e of models) {
        if ((await gallery.status(e.name)).unindexed === 0) continue;
        const r = await gallery.reembed({ model: e.name });
        this.log('info', `gallery: re-embedded ${r.reembedded} reference(s) with ${e.name} ${e.version}${r.failed ? `, ${r.failed} failed` : ''}`);
      }
    })().catch((err) => this.log('error', `gallery: re-embedding failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.reembedding;
    await this.store?.close().catch(() => undefined);
  }
}

// The page's gallery storage: IndexedDB in this browser (works offline, survives reloads). One IndexedDB
// transaction per enrolment, update or deletion, like the SQL store's; the same GalleryStore contract.
import {
  UserError,
  tagKey,
  type ExportedStudent,
  type GalleryLimits,
  type GalleryStore,
  type ModelTag,
  type NewReference,
  type PendingReference,
  type StoredEmbedding,
  type StudentRecord,
} from '@sig/shared';

interface StudentRow { id: string; name: string | null; rev: number; createdAt: string; updatedAt: string }
interface SignatureRow { id?: number; studentId: string; png: Uint8Array }
interface EmbeddingRow { signatureId: number; tag: string; tagInfo: ModelTag; vector: ArrayBuffer }

const STORES = ['state', 'students', 'deleted', 'signatures', 'embeddings'] as const;

const req = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

function openDb(name: string): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  // Version 1 of the schema; a later one adds a branch here (IndexedDB's own versioned upgrade).
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore('state');
    db.createObjectStore('students', { keyPath: 'id' }).createIndex('rev', 'rev');
    db.createObjectStore('deleted', { autoIncrement: true }).createIndex('rev', 'rev');
    db.createObjectStore('signatures', { keyPath: 'id', autoIncrement: true }).createIndex('student', 'studentId');
    const e = db.createObjectStore('embeddings', { keyPath: ['signatureId', 'tag'] });
    e.createIndex('tag', 'tag');
    e.createIndex('signature', 'signatureId');
  };
  return req(open);
}

const copyVector = (v: Float32Array): ArrayBuffer => v.slice().buffer as ArrayBuffer;

/** GalleryStore over IndexedDB (one page, one writer: `shared` is false). */
export class IdbGalleryStore implements GalleryStore {
  readonly shared = false;

  private constructor(private readonly db: IDBDatabase) {}

  static async open(name = 'sig-gallery'): Promise<IdbGalleryStore> {
    return new IdbGalleryStore(await openDb(name));
  }

  /** Runs `fn` in one read-write transaction over every store; a throw aborts it (nothing written). */
  private async transaction<T>(fn: (s: Record<(typeof STORES)[number], IDBObjectStore>) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(STORES, 'readwrite');
    const finished = done(tx);
    const stores = Object.fromEntries(STORES.map((n) => [n, tx.objectStore(n)])) as Record<(typeof STORES)[number], IDBObjectStore>;
    try {
      const out = await fn(stores);
      await finished;
      return out;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      await finished.catch(() => undefined);
      throw err;
    }
  }

  private async bump(state: IDBObjectStore, refsDelta: number): Promise<number> {
    const s = ((await req(state.get('state'))) as { rev: number; refs: number } | undefined) ?? { rev: 0, refs: 0 };
    s.rev += 1;
    s.refs += refsDelta;
    await req(state.put(s, 'state'));
    return s.rev;
  }

  private async record(s: Record<string, IDBObjectStore>, id: string): Promise<StudentRecord | undefined> {
    const row = (await req(s.students.get(id))) as StudentRow | undefined;
    if (!row) return undefined;
    const references = await req(s.signatures.index('student').count(id));
    return { id: row.id, name: row.name, references, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  private async dropSignatures(s: Record<string, IDBObjectStore>, studentId: string): Promise<void> {
    const ids = (await req(s.signatures.index('student').getAllKeys(studentId))) as number[];
    for (const id of ids) {
      await req(s.signatures.delete(id));
      for (const k of await req(s.embeddings.index('signature').getAllKeys(id))) await req(s.embeddings.delete(k));
    }
  }

  /** Enrolment, update and import in one transaction: `replace` drops the student's references first. */
  private put(
    student: { id: string; name?: string | null },
    refs: readonly { png: Uint8Array; embeddings: { tag: ModelTag; vector: Float32Array }[] }[],
    opts: { replace: boolean; limits?: GalleryLimits },
  ): Promise<{ student: StudentRecord; signatureIds: string[] }> {
    return this.transaction(async (s) => {
      const own = await req(s.signatures.index('student').count(student.id));
      const state = ((await req(s.state.get('state'))) as { refs: number } | undefined) ?? { refs: 0 };
      const dropped = opts.replace ? own : 0;
      if (opts.limits) {
        const mine = own - dropped + refs.length;
        if (mine > opts.limits.maxReferencesPerStudent) throw new UserError(`student ${student.id} would have ${mine} references; the limit is ${opts.limits.maxReferencesPerStudent}`, 409);
        const total = state.refs - dropped + refs.length;
        if (total > opts.limits.maxReferences) throw new UserError(`the gallery would hold ${total} references; the limit is ${opts.limits.maxReferences}`, 409);
      }
      const rev = await this.bump(s.state, refs.length - dropped);
      if (opts.replace) await this.dropSignatures(s, student.id);
      const now = new Date().toISOString();
      const old = (await req(s.students.get(student.id))) as StudentRow | undefined;
      const row: StudentRow = { id: student.id, name: student.name ?? old?.name ?? null, rev, createdAt: old?.createdAt ?? now, updatedAt: now };
      await req(s.students.put(row));
      const signatureIds: string[] = [];
      for (const r of refs) {
        const id = (await req(s.signatures.add({ studentId: student.id, png: r.png } satisfies SignatureRow))) as number;
        for (const e of r.embeddings) await req(s.embeddings.put({ signatureId: id, tag: tagKey(e.tag), tagInfo: e.tag, vector: copyVector(e.vector) } satisfies EmbeddingRow));
        signatureIds.push(String(id));
      }
      return { student: (await this.record(s, student.id))!, signatureIds };
    });
  }


  write(student: { id: string; name?: string | null }, refs: readonly NewReference[], tag: ModelTag, opts: { replace: boolean; limits: GalleryLimits }) {
    return this.put(student, refs.map((r) => ({ png: r.png, embeddings: [{ tag, vector: r.vector }] })), opts);
  }

  async importStudent(st: ExportedStudent): Promise<void> {
    await this.put({ id: st.id, name: st.name }, st.signatures, { replace: true });
  }

  async remove(id: string): Promise<boolean> {
    return this.transaction(async (s) => {
      if (!(await req(s.students.get(id)))) return false;
      const n = await req(s.signatures.index('student').count(id));
      const rev = await this.bump(s.state, -n);
      await this.dropSignatures(s, id);
      await req(s.students.delete(id));
      await req(s.deleted.add({ id, rev }));
      return true;
    });
  }

  get(id: string): Promise<StudentRecord | undefined> {
    return this.read((s) => this.record(s, id));
  }

  list(page: { offset: number; limit: number }): Promise<{ total: number; students: StudentRecord[] }> {
    return this.read(async (s) => {
      const total = await req(s.students.count());
      const ids = ((await req(s.students.getAllKeys())) as string[]).sort().slice(page.offset, page.offset + page.limit);
      const students: StudentRecord[] = [];
      for (const id of ids) students.push((await this.record(s, id))!);
      return { total, students };
    });
  }

  /** Runs `fn` in one read-only transaction (a consistent snapshot). */
  private async read<T>(fn: (s: Record<(typeof STORES)[number], IDBObjectStore>) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(STORES, 'readonly');
    const stores = Object.fromEntries(STORES.map((n) => [n, tx.objectStore(n)])) as Record<(typeof STORES)[number], IDBObjectStore>;
    return fn(stores);
  }

  private async embeddingsOf(s: Record<string, IDBObjectStore>, tag: ModelTag, students?: Set<string>): Promise<StoredEmbedding[]> {
    const rows = (await req(s.embeddings.index('tag').getAll(tagKey(tag)))) as EmbeddingRow[];
    const out: StoredEmbedding[] = [];
    for (const r of rows) {
      const sig = (await req(s.signatures.get(r.signatureId))) as SignatureRow | undefined;
      if (!sig || (students && !students.has(sig.studentId))) continue;
      out.push({ signatureId: String(r.signatureId), studentId: sig.studentId, vector: new Float32Array(r.vector) });
    }
    return out;
  }

  embeddings(tag: ModelTag): Promise<{ rev: number; refs: StoredEmbedding[] }> {
    return this.read(async (s) => {
      const st = (await req(s.state.get('state'))) as { rev: number } | undefined;
      return { rev: st?.rev ?? 0, refs: await this.embeddingsOf(s, tag) };
    });
  }

  changesSince(since: number, tag: ModelTag): Promise<{ rev: number; students: string[]; refs: StoredEmbedding[] }> {
    return this.read(async (s) => {
      const rev = ((await req(s.state.get('state'))) as { rev: number } | undefined)?.rev ?? 0;
      if (rev === since) return { rev, students: [], refs: [] };
      const range = IDBKeyRange.lowerBound(since, true);
      const changed = ((await req(s.students.index('rev').getAll(range))) as StudentRow[]).map((r) => r.id);
      const gone = ((await req(s.deleted.index('rev').getAll(range))) as { id: string }[]).map((r) => r.id);
      const students = [...new Set([...changed, ...gone])];
      return { rev, students, refs: students.length ? await this.embeddingsOf(s, tag, new Set(students)) : [] };
    });
  }

  pending(tag: ModelTag, limit: number): Promise<{ total: number; refs: PendingReference[] }> {
    return this.read(async (s) => {
      const key = tagKey(tag);
      const all = (await req(s.signatures.getAll())) as SignatureRow[];
      const have = new Set(((await req(s.embeddings.index('tag').getAll(key))) as EmbeddingRow[]).map((e) => e.signatureId));
      const missing = all.filter((g) => !have.has(g.id!));
      return { total: missing.length, refs: missing.slice(0, limit).map((g) => ({ signatureId: String(g.id), studentId: g.studentId, png: g.png })) };
    });
  }

  async setEmbeddings(tag: ModelTag, refs: readonly { signatureId: string; vector: Float32Array }[]): Promise<void> {
    if (refs.length === 0) return;
    await this.transaction(async (s) => {
      const rev = await this.bump(s.state, 0);
      const key = tagKey(tag);
      for (const r of refs) {
        const id = Number(r.signatureId);
        const sig = (await req(s.signatures.get(id))) as SignatureRow | undefined;
        if (!sig) continue;
        for (const e of (await req(s.embeddings.index('signature').getAll(id))) as EmbeddingRow[]) {
          if (e.tagInfo.model === tag.model && e.tag !== key) await req(s.embeddings.delete([id, e.tag]));
        }
        await req(s.embeddings.put({ signatureId: id, tag: key, tagInfo: tag, vector: copyVector(r.vector) } satisfies EmbeddingRow));
        const st = (await req(s.students.get(sig.studentId))) as StudentRow;
        await req(s.students.put({ ...st, rev }));
      }
    });
  }

  async *exportAll(): AsyncIterable<ExportedStudent> {
    const students = await this.read(async (s) => {
      const rows = ((await req(s.students.getAll())) as StudentRow[]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const out: ExportedStudent[] = [];
      for (const st of rows) {
        const sigs = (await req(s.signatures.index('student').getAll(st.id))) as SignatureRow[];
        const signatures = [];
        for (const g of sigs) {
          const embs = (await req(s.embeddings.index('signature').getAll(g.id!))) as EmbeddingRow[];
          signatures.push({ png: g.png, embeddings: embs.map((e) => ({ tag: e.tagInfo, vector: new Float32Array(e.vector) })) });
        }
        out.push({ id: st.id, name: st.name, signatures });
      }
      return out;
    });
    yield* students;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

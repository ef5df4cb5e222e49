// The gallery over SQL (PGlite or PostgreSQL, same statements). Every write is one transaction that first
// bumps the change counter (gallery_state.rev): the row lock orders writers, so a reader that sees rev R has
// every change up to R, and other processes catch up by reading what changed after the rev they hold.
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
import { migrate } from './migrations.ts';
import { openDatabase, type DatabaseOptions, type SqlDatabase, type SqlExecutor } from './sql.ts';

/** float32 vector ↔ bytea (little-endian, as every platform Node runs on). */
const vectorBytes = (v: Float32Array): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
function bytesVector(b: Uint8Array): Float32Array {
  const v = new Float32Array(b.byteLength / 4);
  new Uint8Array(v.buffer).set(b);
  return v;
}
const iso = (t: unknown): string => (t instanceof Date ? t.toISOString() : new Date(String(t)).toISOString());

interface StudentRow {
  id: string;
  name: string | null;
  refs: string | number;
  created_at: unknown;
  updated_at: unknown;
}
const record = (r: StudentRow): StudentRecord => ({
  id: r.id,
  name: r.name,
  references: Number(r.refs),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
const STUDENT_COLUMNS = `s.id, s.name, s.created_at, s.updated_at, (SELECT count(*) FROM signatures g WHERE g.student_id = s.id) AS refs`;

async function bump(tx: SqlExecutor, refsDelta: number): Promise<number> {
  const [r] = await tx.query<{ rev: string | number }>('UPDATE gallery_state SET rev = rev + 1, refs = refs + $1 RETURNING rev', [refsDelta]);
  return Number(r.rev);
}

async function insertReference(tx: SqlExecutor, studentId: string, png: Uint8Array, embeddings: { tag: ModelTag; vector: Float32Array }[]): Promise<string> {
  const [{ id }] = await tx.query<{ id: string | number }>('INSERT INTO signatures (student_id, png) VALUES ($1, $2) RETURNING id', [studentId, png]);
  for (const e of embeddings) {
    await tx.query(
      'INSERT INTO embeddings (signature_id, tag, model_name, model_version, model_sha256, preprocess, vector) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, tagKey(e.tag), e.tag.model, e.tag.version, e.tag.sha256, e.tag.preprocess, vectorBytes(e.vector)],
    );
  }
  return String(id);
}

/** GalleryStore over a PostgreSQL database (embedded PGlite or a server). */
export class SqlGalleryStore implements GalleryStore {
  readonly shared: boolean;

  constructor(readonly db: SqlDatabase) {
    this.shared = db.engine === 'postgres';
  }

  /** Opens the database and applies pending migrations. */
  static async open(opts: DatabaseOptions): Promise<{ store: SqlGalleryStore; migrated: number[] }> {
    const db = await openDatabase(opts);
    try {
      const migrated = await migrate(db);
      return { store: new SqlGalleryStore(db), migrated };
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  async write(
    student: { id: string; name?: string | null },
    refs: readonly NewReference[],
    tag: ModelTag,
    opts: { replace: boolean; limits: GalleryLimits },
  ): Promise<{ student: StudentRecord; signatureIds: string[] }> {
    return this.db.transaction(async (tx) => {
      const [state] = await tx.query<{ refs: string | number }>('SELECT refs FROM gallery_state FOR UPDATE');
      const [{ n }] = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM signatures WHERE student_id = $1', [student.id]);
      const dropped = opts.replace ? Number(n) : 0;
      const own = Number(n) - dropped + refs.length;
      if (own > opts.limits.maxReferencesPerStudent) {
        throw new UserError(`student ${student.id} would have ${own} references; the limit is ${opts.limits.maxReferencesPerStudent}`, 409);
      }
      const total = Number(state.refs) - dropped + refs.length;
      if (total > opts.limits.maxReferences) {
        throw new UserError(`the gallery would hold ${total} references; the limit is ${opts.limits.maxReferences}`, 409);
      }
      const rev = await bump(tx, refs.length - dropped);
      if (opts.replace) await tx.query('DELETE FROM signatures WHERE student_id = $1', [student.id]);
      await tx.query(
        `INSERT INTO students (id, name, rev) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET name = COALESCE(EXCLUDED.name, students.name), rev = EXCLUDED.rev, updated_at = now()`,
        [student.id, student.name ?? null, rev],
      );
      const signatureIds: string[] = [];
      for (const r of refs) signatureIds.push(await insertReference(tx, student.id, r.png, [{ tag, vector: r.vector }]));
      const [row] = await tx.query<StudentRow>(`SELECT ${STUDENT_COLUMNS} FROM students s WHERE s.id = $1`, [student.id]);
      return { student: record(row), signatureIds };
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [{ n }] = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM signatures WHERE student_id = $1', [id]);
      const rev = await bump(tx, -Number(n));
      const gone = await tx.query('DELETE FROM students WHERE id = $1 RETURNING id', [id]);
      if (gone.length === 0) throw new NothingToDelete();
      await tx.query('INSERT INTO deleted_students (id, rev) VALUES ($1, $2)', [id, rev]);
      return true;
    }).catch((err) => {
      if (err instanceof NothingToDelete) return false;
      throw err;
    });
  }

  async get(id: string): Promise<StudentRecord | undefined> {
    const [row] = await this.db.query<StudentRow>(`SELECT ${STUDENT_COLUMNS} FROM students s WHERE s.id = $1`, [id]);
    return row ? record(row) : undefined;
  }

  async list(page: { offset: number; limit: number }): Promise<{ total: number; students: StudentRecord[] }> {
    const [{ n }] = await this.db.query<{ n: string | number }>('SELECT count(*) AS n FROM students');
    const rows = await this.db.query<StudentRow>(`SELECT ${STUDENT_COLUMNS} FROM students s ORDER BY s.id LIMIT $1 OFFSET $2`, [page.limit, page.offset]);
    return { total: Number(n), students: rows.map(record) };
  }

  private async rev(): Promise<number> {
    const [r] = await this.db.query<{ rev: string | number }>('SELECT rev FROM gallery_state');
    return Number(r.rev);
  }

  private async embeddingsOf(tag: ModelTag, students?: string[]): Promise<StoredEmbedding[]> {
    const where = students ? 'AND g.student_id = ANY($2)' : '';
    const rows = await this.db.query<{ signature_id: string | number; student_id: string; vector: Uint8Array }>(
      `SELECT e.signature_id, g.student_id, e.vector FROM embeddings e JOIN signatures g ON g.id = e.signature_id WHERE e.tag = $1 ${where}`,
      students ? [tagKey(tag), students] : [tagKey(tag)],
    );
    return rows.map((r) => ({ signatureId: String(r.signature_id), studentId: r.student_id, vector: bytesVector(r.vector) }));
  }

  // The rev is read first: rows read after it may already include later changes, which the next
  // changesSince applies again (idempotent), but never miss one up to it.
  async embeddings(tag: ModelTag): Promise<{ rev: number; refs: StoredEmbedding[] }> {
    const rev = await this.rev();
    return { rev, refs: await this.embeddingsOf(tag) };
  }

  async changesSince(since: number, tag: ModelTag): Promise<{ rev: number; students: string[]; refs: StoredEmbedding[] }> {
    const rev = await this.rev();
    if (rev === since) return { rev, students: [], refs: [] };
    const rows = await this.db.query<{ id: string }>(
      'SELECT id FROM students WHERE rev > $1 UNION SELECT id FROM deleted_students WHERE rev > $1',
      [since],
    );
    const students = rows.map((r) => r.id);
    return { rev, students, refs: students.length > 0 ? await this.embeddingsOf(tag, students) : [] };
  }

  async pending(tag: ModelTag, limit: number): Promise<{ total: number; refs: PendingReference[] }> {
    const missing = 'FROM signatures g WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.signature_id = g.id AND e.tag = $1)';
    const [{ n }] = await this.db.query<{ n: string | number }>(`SELECT count(*) AS n ${missing}`, [tagKey(tag)]);
    if (Number(n) === 0 || limit <= 0) return { total: Number(n), refs: [] };
    const rows = await this.db.query<{ id: string | number; student_id: string; png: Uint8Array }>(
      `SELECT g.id, g.student_id, g.png ${missing} ORDER BY g.id LIMIT $2`,
      [tagKey(tag), limit],
    );
    return { total: Number(n), refs: rows.map((r) => ({ signatureId: String(r.id), studentId: r.student_id, png: r.png })) };
  }

  async setEmbeddings(tag: ModelTag, refs: readonly { signatureId: string; vector: Float32Array }[]): Promise<void> {
    if (refs.length === 0) return;
    await this.db.transaction(async (tx) => {
      const rev = await bump(tx, 0);
      const key = tagKey(tag);
      for (const r of refs) {
        await tx.query(
          `INSERT INTO embeddings (signature_id, tag, model_name, model_version, model_sha256, preprocess, vector)
           SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM signatures WHERE id = $1)
           ON CONFLICT (signature_id, tag) DO UPDATE SET vector = EXCLUDED.vector`,
          [r.signatureId, key, tag.model, tag.version, tag.sha256, tag.preprocess, vectorBytes(r.vector)],
        );
      }
      const ids = refs.map((r) => r.signatureId);
      await tx.query('DELETE FROM embeddings WHERE signature_id = ANY($1::bigint[]) AND model_name = $2 AND tag <> $3', [ids, tag.model, key]);
      await tx.query('UPDATE students SET rev = $1 WHERE id IN (SELECT student_id FROM signatures WHERE id = ANY($2::bigint[]))', [rev, ids]);
    });
  }

  async *exportAll(): AsyncIterable<ExportedStudent> {
    const pageSize = 100;
    for (let offset = 0; ; offset += pageSize) {
      const students = await this.db.query<{ id: string; name: string | null }>('SELECT id, name FROM students ORDER BY id LIMIT $1 OFFSET $2', [pageSize, offset]);
      if (students.length === 0) return;
      const ids = students.map((s) => s.id);
      const sigs = await this.db.query<{ id: string | number; student_id: string; png: Uint8Array }>(
        'SELECT id, student_id, png FROM signatures WHERE student_id = ANY($1) ORDER BY id',
        [ids],
      );
      const embs = await this.db.query<{ signature_id: string | number; model_name: string; model_version: string; model_sha256: string; preprocess: string; vector: Uint8Array }>(
        'SELECT e.signature_id, e.model_name, e.model_version, e.model_sha256, e.preprocess, e.vector FROM embeddings e JOIN signatures g ON g.id = e.signature_id WHERE g.student_id = ANY($1)',
        [ids],
      );
      const bySig = new Map<string, ExportedStudent['signatures'][number]['embeddings']>();
      for (const e of embs) {
        const list = bySig.get(String(e.signature_id)) ?? [];
        list.push({ tag: { model: e.model_name, version: e.model_version, sha256: e.model_sha256, preprocess: e.preprocess }, vector: bytesVector(e.vector) });
        bySig.set(String(e.signature_id), list);
      }
      for (const s of students) {
        yield {
          id: s.id,
          name: s.name,
          signatures: sigs.filter((g) => g.student_id === s.id).map((g) => ({ png: new Uint8Array(g.png), embeddings: bySig.get(String(g.id)) ?? [] })),
        };
      }
    }
  }

  async importStudent(s: ExportedStudent): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [{ n }] = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM signatures WHERE student_id = $1', [s.id]);
      const rev = await bump(tx, s.signatures.length - Number(n));
      await tx.query('DELETE FROM signatures WHERE student_id = $1', [s.id]);
      await tx.query(
        `INSERT INTO students (id, name, rev) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, rev = EXCLUDED.rev, updated_at = now()`,
        [s.id, s.name, rev],
      );
      for (const g of s.signatures) await insertReference(tx, s.id, g.png, g.embeddings);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Internal: remove() found no such student (rolls back the counter bump). */
class NothingToDelete extends Error {}

// Versioned schema migrations of the gallery database, run at start (server and CLI) in one transaction
// under an advisory lock, so several processes starting on one PostgreSQL apply each migration once.
import type { SqlDatabase } from './sql.ts';

/** Each entry is applied once, in order; never edit one that has shipped, add the next. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string[] }[] = [
  {
    version: 1,
    name: 'students, signatures, embeddings, change counter',
    sql: [
      `CREATE TABLE gallery_state (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), rev bigint NOT NULL, refs bigint NOT NULL)`,
      `INSERT INTO gallery_state (rev, refs) VALUES (0, 0)`,
      `CREATE TABLE students (
         id text PRIMARY KEY,
         name text,
         rev bigint NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE INDEX students_rev ON students (rev)`,
      `CREATE TABLE deleted_students (id text NOT NULL, rev bigint NOT NULL)`,
      `CREATE INDEX deleted_students_rev ON deleted_students (rev)`,
      `CREATE TABLE signatures (
         id bigserial PRIMARY KEY,
         student_id text NOT NULL REFERENCES students (id) ON DELETE CASCADE,
         png bytea NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE INDEX signatures_student ON signatures (student_id)`,
      `CREATE TABLE embeddings (
         signature_id bigint NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
         tag text NOT NULL,
         model_name text NOT NULL,
         model_version text NOT NULL,
         model_sha256 text NOT NULL,
         preprocess text NOT NULL,
         vector bytea NOT NULL,
         PRIMARY KEY (signature_id, tag))`,
      `CREATE INDEX embeddings_tag ON embeddings (tag)`,
    ],
  },
];

/** Applies the migrations the database has not seen; returns the versions applied now. */
export async function migrate(db: SqlDatabase): Promise<number[]> {
  return db.transaction(async (tx) => {
    // Any constant key: one migrating process at a time (PGlite has one process anyway).
    await tx.query('SELECT pg_advisory_xact_lock(7218001)');
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.sql) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

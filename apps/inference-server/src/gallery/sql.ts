// One small SQL interface over the two PostgreSQL engines the gallery runs on: PGlite (PostgreSQL compiled
// to wasm, a file-backed database in a data folder, nothing to install) and a PostgreSQL server (node-postgres
// pool, shared by several server processes).
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '@sig/shared';

/** Runs statements. Parameters are $1, $2, ...; bytea columns come back as Uint8Array. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** A database: statements, transactions, and where it lives. */
export interface SqlDatabase extends SqlExecutor {
  /** 'pglite' (embedded, one process) or 'postgres' (a server several processes share). */
  readonly engine: 'pglite' | 'postgres';
  /** Where the data is, for logs: the data folder or the URL without its password. */
  readonly location: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database cannot be reached (PostgreSQL down): routes answer 503 with Retry-After. */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/** Where the gallery lives: a PostgreSQL URL wins over the embedded data folder. */
export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string;
}

/** Opens the gallery database (PGlite in `dataDir`, or PostgreSQL at `databaseUrl`). */
export async function openDatabase(opts: DatabaseOptions): Promise<SqlDatabase> {
  if (opts.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl)) throw new UserError('DATABASE_URL must be a postgres:// or postgresql:// URL');
    return openPostgres(opts.databaseUrl);
  }
  return openPglite(opts.dataDir);
}

/**
 * PGlite is one process's database: a second opener of the same folder (another `sig serve`, `sig gallery`
 * while a server runs, or a second open in this process) would corrupt it, so the folder holds a lock file
 * with the owner's PID. A lock whose process is gone (killed) is taken over.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'sig-gallery.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const f = await open(path, 'wx');
      await f.writeFile(String(process.pid));
      await f.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      let alive = false;
      try {
        alive = pid > 0 && (process.kill(pid, 0), true);
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (alive) {
        throw new UserError(
          `the gallery in ${dir} is open in process ${pid}${pid === process.pid ? ' (this one)' : ''}: the embedded database serves one process; stop it, or use DATABASE_URL=postgres://… for several`,
          409,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new UserError(`cannot lock the gallery in ${dir}`, 409);
}

async function openPglite(dataDir: string): Promise<SqlDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = dataDir === 'memory://' ? dataDir : resolve(dataDir);
  let unlock = async () => {};
  if (dir !== 'memory://') {
    await mkdir(dir, { recursive: true });
    unlock = await lockDataDir(dir);
  }
  // The database in a subfolder: the lock file sits beside it, not inside PostgreSQL's data directory.
  const db = new PGlite(dir === 'memory://' ? dir : join(dir, 'pglite'));
  try {
    await db.waitReady;
  } catch (err) {
    await unlock();
    throw err;
  }
  const toRows = <T>(r: { rows: unknown[] }): T[] => r.rows as T[];
  return {
    engine: 'pglite',
    location: dir,
    query: async <T>(sql: string, params: unknown[] = []) => toRows<T>(await db.query(sql, params)),
    transaction: (fn) => db.transaction((tx) => fn({ query: async <T>(sql: string, params: unknown[] = []) => toRows<T>(await tx.query(sql, params)) })),
    close: async () => {
      await db.close();
      await unlock();
    },
  };
}

/**
 * node-postgres errors that mean "no database right now" rather than a bad statement: network errors (no
 * SQLSTATE), connection exceptions (class 08), shutdown / cannot connect now (57P01–57P03).
 */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|57P0)/.test(code)) return true;
  if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ENOTFOUND, ECONNRESET, ETIMEDOUT, ...
  return typeof e?.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message);
}

function unavailable(err: unknown, where: string): never {
  if (isUnavailable(err)) throw new StoreUnavailableError(`gallery database unreachable (${where}): ${(err as Error).message || (err as { code?: string }).code}`);
  throw err;
}

async function openPostgres(url: string): Promise<SqlDatabase> {
  const { default: pg } = await import('pg');
  // bytea as Uint8Array like PGlite (pg gives Buffer, a Uint8Array subclass, already).
  const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 2000, idleTimeoutMillis: 10_000 });
  // An idle client whose server went away emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => {});
  const location = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  const params = (p: unknown[]) => p.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
  return {
    engine: 'postgres',
    location,
    async query<T>(sql: string, p: unknown[] = []) {
      try {
        return (await pool.query(sql, params(p))).rows as T[];
      } catch (err) {
        return unavailable(err, location);
      }
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      let client: import('pg').PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        return unavailable(err, location);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const out = await fn({ query: async <R>(sql: string, p: unknown[] = []) => (await client.query(sql, params(p))).rows as R[] });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        broken = isUnavailable(err);
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        return unavailable(err, location);
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

// Opens the database the server keeps its state in, and migrates it: SQLite (better-sqlite3) in
// the data folder by default, or PostgreSQL when given a postgres:// URL, which several server
// nodes can share. Both through Kysely, so one store and one set of migrations serve both.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import BetterSqlite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import { KyselyExecutor, SqliteExecutor, type Executor } from "./executor.js";
import { migrations } from "./migrations/index.js";
import type { Dialect, Schema } from "./schema.js";

export interface DatabaseOptions {
  /** postgres://user:pass@host/db (or postgresql://); a SQLite file path, or sqlite:PATH; undefined: `file`. */
  url?: string;
  /** The SQLite file when there is no URL (agentpool.db in the data folder). */
  file?: string;
  /** The data folder, where a SQLite database finds the event log an older server kept apart (sync-events.db). */
  dataDirectory?: string;
}

/** The name of the SQLite file in the data folder. */
export const SQLITE_FILE = "agentpool.db";

/** An open, migrated database, shared by the store and the event log; the last to let go closes it. */
export class Database {
  private holders = 1;
  private closing: Promise<void> | undefined;

  /** Runs the queries `db` builds (see ./executor.ts). */
  readonly executor: Executor;

  constructor(
    /** Builds the queries (and runs the migrations). */
    readonly db: Kysely<Schema>,
    readonly dialect: Dialect,
    private readonly sqlite?: BetterSqlite.Database,
  ) {
    this.executor = sqlite ? new SqliteExecutor(sqlite) : new KyselyExecutor(db);
  }

  /** One more holder, who must close() too. */
  share(): this {
    this.holders++;
    return this;
  }

  async close(): Promise<void> {
    if (--this.holders > 0) return;
    this.closing ??= this.db.destroy().then(() => {
      if (this.sqlite?.open) this.sqlite.close();
    });
    return this.closing;
  }
}

/** Which database a URL names. */
export function describeDatabase(options: DatabaseOptions): { dialect: "postgres"; url: string } | { dialect: "sqlite"; file: string } {
  const url = options.url?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) return { dialect: "postgres", url };
  if (url) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url))
      throw new Error(`unsupported database URL ${redact(url)}: use postgres://user:password@host/database, or a SQLite file`);
    return { dialect: "sqlite", file: url.replace(/^sqlite:(\/\/)?/i, "") };
  }
  if (options.file) return { dialect: "sqlite", file: options.file };
  if (options.dataDirectory) return { dialect: "sqlite", file: path.join(options.dataDirectory, SQLITE_FILE) };
  throw new Error("no database: give a URL, a file or the data folder");
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const target = describeDatabase(options);
  if (target.dialect === "postgres") return openPostgres(target.url);
  const database = await openSqlite(target.file);
  if (options.dataDirectory && target.file !== ":memory:")
    await importLegacySyncEvents(database, path.join(options.dataDirectory, "sync-events.db"));
  return database;
}

async function openSqlite(file: string): Promise<Database> {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite(file);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL with WAL: a killed process loses nothing committed; only a power cut can lose the last commits.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  // Another process holding the file (a second server on the same data folder) is waited for, not failed.
  sqlite.pragma("busy_timeout = 5000");
  const database = new Database(new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) }), "sqlite", sqlite);
  try {
    await migrate(database);
    // A SQLite file is one node's: the run leases a previous process left are void.
    await database.executor.run(database.db.deleteFrom("run_lease"));
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** Any number of 64-bit integer; names this server's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x616770_6f6f6c; // "agpool"

async function openPostgres(url: string): Promise<Database> {
  // The PostgreSQL client loads only for a PostgreSQL database (about 50 ms of every SQLite start).
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, application_name: "agentpool", max: 10 });
  // An idle client's error (the server restarting) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  const database = new Database(new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), "postgres");
  try {
    // Several nodes may start at once: one migrates while the others wait on this lock, then find nothing to do.
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        await migrate(database);
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await database.close();
    throw new Error(`database ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
  return database;
}

async function migrate(database: Database): Promise<void> {
  const migrator = new Migrator({
    db: database.db,
    provider: migrations(database.dialect),
    migrationTableName: "agentpool_migration",
    migrationLockTableName: "agentpool_migration_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === "Error");
    throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}

/**
 * A server before the shared storage layer kept the event log in its own file (sync-events.db);
 * its events move into the database once, and the file is renamed so they do not move twice.
 */
async function importLegacySyncEvents(database: Database, file: string): Promise<void> {
  if (!existsSync(file)) return;
  const legacy = new BetterSqlite(file);
  let rows: { id: string; aggregate_id: string; seq: number; type: string; data: string }[] = [];
  try {
    const table = legacy.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sync_event'").get();
    if (table) rows = legacy.prepare("SELECT id, aggregate_id, seq, type, data FROM sync_event ORDER BY rowid").all() as typeof rows;
  } finally {
    legacy.close();
  }
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto("sync_event")
        .values(rows.slice(i, i + 200))
        .onConflict((c) => c.column("id").doNothing())
        .execute();
  });
  renameSync(file, `${file}.imported`);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
}

// How the store runs the queries Kysely builds. On SQLite, synchronously on the better-sqlite3
// connection at the moment they are asked for (prepared once, reused), as the embedded store
// always did: a write is done when its promise is made, and the server's concurrent flows
// (a run storing a part, a tool asking permission) see the order they acted in, not the order in
// which some dozens of promise hops happen to end. On PostgreSQL, through Kysely's pool.
import type BetterSqlite from "better-sqlite3";
import type { Compilable, Kysely } from "kysely";

export interface Executor {
  all<R>(query: Compilable<R>): Promise<R[]>;
  first<R>(query: Compilable<R>): Promise<R | undefined>;
  /** A write; answers how many rows it changed. */
  run(query: Compilable<unknown>): Promise<number>;
  /** Writes in one transaction, in order; answers how many rows each changed. */
  transaction(queries: Compilable<unknown>[]): Promise<number[]>;
}

/** Prepared statements kept per SQL text; the store's queries are a few dozen. */
const STATEMENT_CACHE = 500;

export class SqliteExecutor implements Executor {
  private readonly statements = new Map<string, BetterSqlite.Statement>();

  constructor(private readonly sqlite: BetterSqlite.Database) {}

  private statement(sql: string): BetterSqlite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      this.statements.set(sql, (statement = this.sqlite.prepare(sql)));
    }
    return statement;
  }

  private execute(query: Compilable<unknown>): { rows: unknown[]; changes: number } {
    const { sql, parameters } = query.compile();
    const statement = this.statement(sql);
    if (statement.reader) return { rows: statement.all(...parameters), changes: 0 };
    return { rows: [], changes: statement.run(...parameters).changes };
  }

  all<R>(query: Compilable<R>): Promise<R[]> {
    return settle(() => this.allNow(query));
  }

  /**
   * The rows themselves, now: for a caller that must decide on them before anything else runs
   * (the v2 session log projects a bus event inside its publish).
   */
  allNow<R>(query: Compilable<R>): R[] {
    return this.execute(query).rows as R[];
  }

  first<R>(query: Compilable<R>): Promise<R | undefined> {
    return settle(() => this.execute(query).rows[0] as R | undefined);
  }

  run(query: Compilable<unknown>): Promise<number> {
    return settle(() => this.execute(query).changes);
  }

  transaction(queries: Compilable<unknown>[]): Promise<number[]> {
    return settle(() => this.sqlite.transaction(() => queries.map((query) => this.execute(query).changes))());
  }
}

/** Runs now; the promise only carries the outcome. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}

export class KyselyExecutor implements Executor {
  constructor(private readonly db: Kysely<any>) {}

  async all<R>(query: Compilable<R>): Promise<R[]> {
    return [...(await this.db.executeQuery(query)).rows];
  }

  async first<R>(query: Compilable<R>): Promise<R | undefined> {
    return (await this.db.executeQuery(query)).rows[0];
  }

  async run(query: Compilable<unknown>): Promise<number> {
    return Number((await this.db.executeQuery(query)).numAffectedRows ?? 0n);
  }

  transaction(queries: Compilable<unknown>[]): Promise<number[]> {
    return this.db.transaction().execute(async (trx) => {
      const changed: number[] = [];
      for (const query of queries) changed.push(Number((await trx.executeQuery(query)).numAffectedRows ?? 0n));
      return changed;
    });
  }
}

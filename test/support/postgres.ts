// A throwaway PostgreSQL for tests: a cluster in a temp folder on a free loopback port, trusted
// local connections, no fsync; databases created on demand; stopped and removed after. Uses the
// machine's PostgreSQL binaries (initdb and pg_ctl on PATH, or Debian's /usr/lib/postgresql/N/bin,
// which .ci/run installs). As root, the cluster runs as the `postgres` user (initdb refuses root).
import { freePort } from "../../src/net/free-port.js";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** The folder of initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const fromPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (fromPath) return path.dirname(fromPath);
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, "bin") : undefined;
}

export interface PostgresCluster {
  /** postgres://... of the cluster's `postgres` database (the superuser's). */
  adminUrl: string;
  /** Creates a database (a fresh name unless given) and answers its URL. */
  createDatabase(name?: string): Promise<string>;
  /** The URL of a database of this cluster. */
  url(database: string): string;
  stop(): void;
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function runAs(user: { uid: number; gid: number; name: string } | undefined, file: string, args: string[]): void {
  const [command, commandArgs] = user ? ["runuser", ["-u", user.name, "--", file, ...args]] : [file, args];
  execFileSync(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"], cwd: os.tmpdir() });
}

function postgresUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.AGENTPOOL_TEST_POSTGRES_USER ?? "postgres";
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g"), name };
  } catch {
    throw new Error(
      `running as root, PostgreSQL needs another user to run as: create the user ${name} (or set AGENTPOOL_TEST_POSTGRES_USER)`,
    );
  }
}

let counter = 0;

/** A detached shell that stops the cluster and removes its folder once `pid` is gone. */
function watchdog(pid: number, user: { name: string } | undefined, pgCtl: string, data: string, dir: string): void {
  const q = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
  const stopCommand = [...(user ? ["runuser", "-u", user.name, "--"] : []), pgCtl, "-D", data, "-m", "immediate", "-w", "stop"]
    .map(q)
    .join(" ");
  const script = `while kill -0 ${pid} 2>/dev/null; do sleep 1; done; [ -d ${q(dir)} ] || exit 0; ${stopCommand} >/dev/null 2>&1; rm -rf ${q(dir)}`;
  spawn("sh", ["-c", script], { detached: true, stdio: "ignore" }).unref();
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed: no initdb on PATH nor in /usr/lib/postgresql/*/bin (apt-get install postgresql)");
  const user = postgresUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentpool-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  runAs(user, path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const options = [
    `-k ${dir}`,
    `-p ${port}`,
    "-h 127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=300",
  ].join(" ");
  runAs(user, path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "postgres.log"), "-o", options, "-w", "-t", "60", "start"]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      runAs(user, path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that ends without stopping it leaves no server behind: on a clean exit, and,
  // when the process is killed (vitest ends its workers so), by a watchdog that outlives it.
  process.once("exit", stop);
  watchdog(process.pid, user, path.join(bin, "pg_ctl"), data, dir);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const adminUrl = url("postgres");
  return {
    adminUrl,
    url,
    createDatabase: (name) => createDatabase(adminUrl, name ?? `test_${process.pid}_${++counter}`).then(url),
    stop,
  };
}

/**
 * Creates a database on the server `adminUrl` names. Its text sorts in English (ICU en-US) when the
 * server can, not byte by byte: the store must not depend on the database's collation.
 */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    try {
      await client.query(`CREATE DATABASE ${quoted} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    } catch (error) {
      if ((error as { code?: string }).code === "42P04") return name; // exists
      await client.query(`CREATE DATABASE ${quoted}`).catch((e: { code?: string }) => {
        if (e.code !== "42P04") throw e;
      });
    }
  } finally {
    await client.end();
  }
  return name;
}

let shared: Promise<PostgresCluster> | undefined;

/**
 * The database a test server uses when the suite runs against PostgreSQL: AGENTPOOL_TEST_DATABASE=postgres
 * (a throwaway cluster per test process) or =postgres://user@host/db (an existing server; databases
 * are created on it). One database per data folder, so a test that restarts its server on the same
 * data folder finds its state again. Undefined (SQLite) when the variable is unset or "sqlite".
 */
export async function testDatabaseUrl(dataDirectory: string): Promise<string | undefined> {
  const mode = process.env.AGENTPOOL_TEST_DATABASE?.trim();
  if (!mode || mode === "sqlite") return undefined;
  const name = `t_${createHash("sha1").update(dataDirectory).digest("hex").slice(0, 24)}`;
  if (/^postgres(ql)?:\/\//i.test(mode)) {
    await createDatabase(mode, name);
    const url = new URL(mode);
    url.pathname = `/${name}`;
    return url.toString();
  }
  if (mode !== "postgres") throw new Error(`AGENTPOOL_TEST_DATABASE must be sqlite, postgres or a postgres:// URL, not ${mode}`);
  shared ??= startPostgres();
  return (await shared).createDatabase(name);
}

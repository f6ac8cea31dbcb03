// The `agentpool` command. `agentpool serve` takes the flags of `opencode serve` where they overlap.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { SCRIPTED_PROVIDER } from "./provider/scripted-provider.js";
import { DEMO_SCRIPT_FILE } from "./agent/scripted/script.js";
import { credentialsFromEnv } from "./server/auth.js";
import { CONSOLE_DIST } from "./server/console.js";
import type { ContractMode } from "./app/service-types.js";
import { LOG_LEVELS, createLogger, defaultLogFile, type LogLevel } from "./server/logger.js";
import { HEARTBEAT_MS } from "./server/sse.js";
import { startServer, type RunningServer } from "./server/start.js";
import { collectWhenIdle } from "./process/idle-collection.js";
import { dataDirectory } from "./xdg.js";
import { parseRunLimits, type RunLimits } from "./session/run-slots.js";

const USAGE = `Usage: agentpool serve [options]

Serve the OpenCode HTTP API for a project directory.

Options:
  --port PORT          port to listen on (default 4096; 0 picks a free one)
  --hostname HOST      address to listen on (default 127.0.0.1)
  --project DIR        directory served when a request names none
                       (default: the directory the command was started from)
  --cors ORIGIN        also allow this browser origin (repeatable)
  --print-logs         also write the log to stderr
  --log-level LEVEL    DEBUG, INFO, WARN or ERROR (default INFO)
  --database URL       keep the state in this PostgreSQL database (postgres://user:pass@host/db),
                       which several servers can share (default: SQLite in the data folder)
  --run-limit KEY=CAP  at most CAP runs at once of an agent (agent:build=2) or a provider's
                       models (provider:anthropic=4) across every server on the database;
                       runs over it wait their turn (repeatable; sub-agent runs are not counted)
  --strict-contract    answer 500 when an answer or event breaks the spec
                       (default: log it with the operation and the place in the document)
  -h, --help           show this help

Environment:
  OPENCODE_SERVER_PASSWORD   require HTTP basic auth with this password
  OPENCODE_SERVER_USERNAME   the user name for basic auth (default opencode)
  XDG_STATE_HOME             log folder base (log: $XDG_STATE_HOME/agentpool/log/opencode.log)
  XDG_DATA_HOME              data folder base (database: $XDG_DATA_HOME/agentpool/agentpool.db)
  AGENTPOOL_DATABASE_URL     the database, when --database is not given
  AGENTPOOL_RUN_LIMITS       the run limits, comma-separated (agent:build=2,provider:anthropic=4),
                             when no --run-limit is given
`;

class UsageError extends Error {}

export interface ServeOptions {
  port: number;
  hostname: string;
  project: string;
  cors: string[];
  printLogs: boolean;
  logLevel: LogLevel;
  /** Fail answers and events that break the spec (tests do); a user's server logs them instead. */
  strictContract: boolean;
  /** The database URL (--database, AGENTPOOL_DATABASE_URL); none: SQLite in the data folder. */
  database?: string;
  /** Caps on concurrent runs per agent or provider (--run-limit, AGENTPOOL_RUN_LIMITS). */
  runLimits: RunLimits;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): ServeOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      hostname: { type: "string" },
      project: { type: "string" },
      cors: { type: "string", multiple: true },
      "print-logs": { type: "boolean" },
      "log-level": { type: "string" },
      "strict-contract": { type: "boolean" },
      database: { type: "string" },
      "run-limit": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const [command = "serve", ...rest] = positionals;
  if (command !== "serve" || rest.length) throw new UsageError(`unknown command: ${positionals.join(" ")}`);
  const port = Number(values.port ?? 4096);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${values.port}`);
  const logLevel = (values["log-level"] ?? "INFO").toUpperCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  // With `npm start`, npm runs us from the package folder and says in INIT_CWD where the user was.
  const base = env.INIT_CWD || cwd;
  const project = path.resolve(base, values.project ?? ".");
  if (!existsSync(project) || !statSync(project).isDirectory()) throw new UsageError(`--project ${project} is not a directory`);
  // Every node of a pool should be given the same limits: the option, else the environment.
  const limitEntries = values["run-limit"]?.length ? values["run-limit"] : env.AGENTPOOL_RUN_LIMITS ? [env.AGENTPOOL_RUN_LIMITS] : [];
  let runLimits: RunLimits;
  try {
    runLimits = parseRunLimits(limitEntries);
  } catch (error) {
    const source = values["run-limit"]?.length ? "--run-limit" : "AGENTPOOL_RUN_LIMITS";
    throw new UsageError(`${source}: ${(error as Error).message}`);
  }
  return {
    port,
    hostname: values.hostname ?? "127.0.0.1",
    project,
    cors: values.cors ?? [],
    printLogs: values["print-logs"] ?? false,
    logLevel,
    strictContract: values["strict-contract"] ?? false,
    database: values.database || env.AGENTPOOL_DATABASE_URL || undefined,
    runLimits,
  };
}

/** How long after listening the default model is printed (see main). */
const BANNER_DELAY_MS = 200;

async function printModelBanner(services: RunningServer["services"], project: string): Promise<void> {
  const config = await services.configs.forDirectory(project);
  const fallback = services.models.fallback(config);
  const demo = services.models.providers(config).byID.get(SCRIPTED_PROVIDER);
  if (fallback) process.stdout.write(`Default model: ${config.model ?? `${fallback.providerID}/${fallback.modelID}`}\n`);
  if (demo?.source === "custom")
    process.stdout.write(
      `No API key found: the default model is OpenCode Zen's free one (it needs the network); ` +
        `offline, pick ${SCRIPTED_PROVIDER}/demo for the bundled demo script (${DEMO_SCRIPT_FILE}).\n`,
    );
}

export async function main(argv: string[]): Promise<void> {
  let options: ServeOptions | "help";
  try {
    options = parseServeArgs(argv, process.env, process.cwd());
  } catch (error) {
    process.stderr.write(`agentpool: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return;
  }
  const log = createLogger({ level: options.logLevel, file: defaultLogFile(), printLogs: options.printLogs });
  const contractMode: ContractMode = options.strictContract ? "fail" : "warn";
  const credentials = credentialsFromEnv(process.env);
  const server = await startServer({
    config: {
      projectDirectory: options.project,
      dataDirectory: dataDirectory(),
      databaseUrl: options.database,
      hostname: options.hostname,
      port: options.port,
      corsOrigins: options.cors,
      contractMode,
      heartbeatMs: HEARTBEAT_MS,
      runLimits: options.runLimits,
    },
    log,
    credentials,
  });
  log.info({ url: server.url, project: options.project, contractMode, runLimits: options.runLimits }, "server listening");
  collectWhenIdle();
  if (!credentials) process.stdout.write("Warning: OPENCODE_SERVER_PASSWORD is not set; server is unsecured.\n");
  process.stdout.write(`agentpool server listening on ${server.url}\n`);
  const consoleBuilt = existsSync(path.join(CONSOLE_DIST, "index.html"));
  process.stdout.write(`Web console: ${server.url}/${consoleBuilt ? "" : " (not built yet: run npm run build:web)"}\n`);
  // Working out the default model parses the provider catalogue (about 0.1 s of CPU): print it a
  // moment after listening, so that the first requests are answered before it, not after it.
  const banner = setTimeout(() => {
    void printModelBanner(server.services, options.project).catch((error: unknown) =>
      log.warn({ error: (error as Error).message }, "could not work out the default model"),
    );
  }, BANNER_DELAY_MS);
  const stop = async (signal: string) => {
    clearTimeout(banner);
    log.info({ signal }, "stopping");
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

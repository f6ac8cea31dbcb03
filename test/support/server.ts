// Starts the real server on a free loopback port for a test file, with response and event
// validation failing loudly, a private log file, and the coverage record kept.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { HandlerMap } from "../../generated/handlers.js";
import type { Credentials } from "../../src/server/auth.js";
import type { HandlerReply, RequestContext } from "../../src/server/context.js";
import type { PromptServiceOptions } from "../../src/app/services.js";
import { createLogger } from "../../src/server/logger.js";
import { startServer, type RunningServer } from "../../src/server/start.js";
import { CoverageRecorder } from "./coverage-record.js";
import { testDatabaseUrl } from "./postgres.js";
import { makeTempDir } from "./temp.js";

export interface TestServerOptions {
  projectDirectory?: string;
  /** Reuse a data folder to test a restart. */
  dataDirectory?: string;
  /** A database URL (default: SQLite in the data folder, or PostgreSQL with AGENTPOOL_TEST_DATABASE, see ./postgres.ts). */
  databaseUrl?: string;
  credentials?: Credentials;
  corsOrigins?: string[];
  heartbeatMs?: number;
  handlers?: HandlerMap<RequestContext, HandlerReply>;
  prompt?: PromptServiceOptions;
  /** The built web console to serve (default: web/dist). */
  consoleDist?: string;
  /** "fail" (the default in tests) or "warn": a violation is only logged, as in production. */
  contractMode?: "fail" | "warn";
}

export interface TestServer extends RunningServer {
  logFile: string;
  /** The log lines written so far, parsed. */
  logLines(): Record<string, unknown>[];
  /** fetch() relative to the server's URL. */
  fetch(pathAndQuery: string, init?: RequestInit): Promise<Response>;
}

function currentTestFile(): string {
  return expect.getState().testPath ?? "unknown-test-file";
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const scratch = makeTempDir("server");
  const logFile = path.join(scratch, "opencode.log");
  const recorder = new CoverageRecorder(currentTestFile());
  const dataDirectory = options.dataDirectory ?? path.join(scratch, "data");
  const server = await startServer({
    config: {
      projectDirectory: options.projectDirectory ?? scratch,
      dataDirectory,
      databaseUrl: options.databaseUrl ?? (await testDatabaseUrl(dataDirectory)),
      hostname: "127.0.0.1",
      port: 0,
      corsOrigins: options.corsOrigins ?? [],
      contractMode: options.contractMode ?? "fail",
      heartbeatMs: options.heartbeatMs ?? 10_000,
    },
    log: createLogger({ level: "DEBUG", file: logFile, printLogs: false }),
    credentials: options.credentials,
    observe: recorder.observe,
    handlers: options.handlers,
    prompt: options.prompt,
    consoleDist: options.consoleDist,
  });
  return {
    ...server,
    logFile,
    logLines: () =>
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    fetch: (pathAndQuery, init) => fetch(`${server.url}${pathAndQuery}`, init),
    close: async () => {
      recorder.flush();
      await server.close();
    },
  };
}

export { jsonInit } from "./json-init.js";

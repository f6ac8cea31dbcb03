// What the benchmarks share: the real server on a free loopback port (quiet log, contract checks
// on, as in tests), and percentiles.
import path from "node:path";
import { createLogger } from "../../src/server/logger.js";
import { startServer } from "../../src/server/start.js";

export function startBenchServer(projectDirectory: string) {
  return startServer({
    config: {
      projectDirectory,
      dataDirectory: path.join(projectDirectory, ".agentpool-data"),
      hostname: "127.0.0.1",
      port: 0,
      corsOrigins: [],
      contractMode: "fail",
      heartbeatMs: 10_000,
    },
    log: createLogger({ level: "WARN", file: null, printLogs: false }),
  });
}

/** The p-th percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

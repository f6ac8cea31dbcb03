// The server log: JSON lines (pino) in $XDG_STATE_HOME/agentpool/log/opencode.log, and on
// stderr too with --print-logs.
import { mkdirSync } from "node:fs";
import path from "node:path";
import pino, { type Logger } from "pino";
import { stateDirectory } from "../xdg.js";

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function defaultLogFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDirectory(env), "log", "opencode.log");
}

export interface LoggerOptions {
  level: LogLevel;
  /** null: no log file (only for tests that look at nothing but stderr). */
  file: string | null;
  printLogs: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  if (options.file) {
    mkdirSync(path.dirname(options.file), { recursive: true });
    streams.push({ stream: pino.destination({ dest: options.file, sync: true, append: true }) });
  }
  if (options.printLogs) streams.push({ stream: pino.destination({ fd: 2, sync: true }) });
  const level = options.level.toLowerCase();
  if (streams.length === 0) return pino({ level, enabled: false });
  return pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams.map((s) => ({ ...s, level: level as pino.Level }))),
  );
}

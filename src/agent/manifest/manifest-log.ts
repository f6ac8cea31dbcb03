// Where problems with AgentPool manifests go: the server's log (set once at start), each problem
// reported once, however often the agents are listed. Reading a manifest never throws.

export interface ManifestLog {
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

let sink: { log: ManifestLog; seen: Set<string> } | undefined;

/** The server's log receives manifest problems from now on (each reported once). */
export function reportManifestProblemsTo(log: ManifestLog): void {
  sink = { log, seen: new Set() };
}

export function reportManifestProblem(level: "warn" | "error", file: string, message: string): void {
  if (!sink) return;
  const key = `${level}\u0000${file}\u0000${message}`;
  if (sink.seen.has(key)) return;
  sink.seen.add(key);
  sink.log[level]({ manifest: file }, message);
}

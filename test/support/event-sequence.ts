// Event sequences as short tokens ("message.updated:assistant:finish", "delta", "status:busy"),
// so that a run's order can be compared with the reference captures of the real server.
import { readFileSync } from "node:fs";

export interface EventLike {
  type: string;
  properties?: Record<string, unknown>;
}

type Info = { role?: string; finish?: string; error?: unknown; time?: { completed?: number }; summary?: unknown };
type PartLike = { type: string; time?: { end?: number }; state?: { status: string } };

export function eventToken(event: EventLike): string {
  const p = (event.properties ?? {}) as { info?: Info; part?: PartLike; status?: { type: string } };
  switch (event.type) {
    case "message.updated": {
      const info = p.info ?? {};
      return ["message.updated", info.role, info.finish ? "finish" : "", info.error ? "error" : "", info.time?.completed ? "completed" : ""]
        .filter(Boolean)
        .join(":");
    }
    case "message.part.updated": {
      const part = p.part!;
      const streaming = part.type === "text" || part.type === "reasoning";
      if (part.type === "tool") return `part:tool:${part.state!.status}`;
      return `part:${part.type}${streaming && part.time ? (part.time.end ? ":end" : ":start") : ""}`;
    }
    case "message.part.delta":
      return "delta";
    case "session.status":
      return `status:${p.status!.type}`;
    default:
      return event.type;
  }
}

/**
 * What the comparison ignores: events whose number or place depends on timing or on features
 * outside the compared scenario (titles arrive in parallel; diffs and user summaries come with
 * snapshots; heartbeats).
 */
const IGNORED = new Set(["session.updated", "session.created", "session.diff", "server.heartbeat", "server.connected"]);

export function sequence(events: EventLike[]): string[] {
  const tokens: string[] = [];
  for (const event of events) {
    if (IGNORED.has(event.type)) continue;
    // A user message re-sent with its diff summary is part of the snapshot feature.
    if (event.type === "message.updated" && (event.properties?.info as Info | undefined)?.summary) continue;
    const token = eventToken(event);
    // Runs of deltas and repeated busy statuses collapse: their count depends on chunking and timing.
    if ((token === "delta" || token === "status:busy") && tokens[tokens.length - 1] === token) continue;
    tokens.push(token);
  }
  return tokens;
}

/** The events of a reference capture (test/fixtures/reference/events-<name>.jsonl). */
export function referenceEvents(name: string): EventLike[] {
  const text = readFileSync(new URL(`../fixtures/reference/events-${name}.jsonl`, import.meta.url), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { ev: EventLike }).ev);
}

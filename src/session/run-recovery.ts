// Crash recovery: a process killed mid-run leaves assistant messages open; the next start
// finalises them as aborted (streaming parts closed, unfinished tools in error), as upstream does.
import { ABORTED } from "../agent/agent-errors.js";
// On a shared database only runs no node holds a live lease on are finalised: another node's runs
// go on (./run-lease.ts); this runs at start and, on each node, every lease ttl.
import type { MessageWithParts, Store } from "../storage/store.js";
import type { RunLeases } from "./run-lease.js";
import type { SessionEvents } from "./session-events.js";

export interface RecoveryDeps {
  store: Pick<Store, "listUnfinishedAssistantMessages" | "getSession" | "putPart" | "putMessage">;
  events: Pick<SessionEvents, "publish">;
  /** Holds a session's lease while its run is finalised, so that one node alone finalises it. */
  leases: Pick<RunLeases, "whileHolding">;
}

/** Finalises every run a stopped or dead node left open; answers how many messages it closed. */
export async function finaliseInterruptedRuns(deps: RecoveryDeps): Promise<number> {
  const { store, leases } = deps;
  const unfinished = await store.listUnfinishedAssistantMessages({ unleasedAt: Date.now() });
  let closed = 0;
  for (const sessionID of new Set(unfinished.map((message) => message.info.sessionID))) {
    // Another node may be sweeping too: whoever takes the lease finalises, reading again under it.
    await leases.whileHolding(sessionID, async () => {
      closed += await finalise(deps, await store.listUnfinishedAssistantMessages({ sessionID }));
    });
  }
  return closed;
}

async function finalise({ store, events }: RecoveryDeps, unfinished: MessageWithParts[]): Promise<number> {
  for (const { info, parts } of unfinished) {
    if (info.role !== "assistant") continue;
    const session = await store.getSession(info.sessionID);
    if (!session) continue;
    const now = Date.now();
    for (const part of parts) {
      if ((part.type === "text" || part.type === "reasoning") && part.time && part.time.end === undefined) {
        await store.putPart({ ...part, time: { ...part.time, end: now } });
      } else if (part.type === "tool" && (part.state.status === "pending" || part.state.status === "running")) {
        const input = part.state.status === "running" ? part.state.input : {};
        const start = part.state.status === "running" ? part.state.time.start : now;
        await store.putPart({ ...part, state: { status: "error", input, error: "Tool execution aborted", time: { start, end: now } } });
      }
    }
    const finalised = { ...info, error: ABORTED, time: { ...info.time, completed: now } };
    await store.putMessage(finalised);
    await events.publish(session, "message.updated", { sessionID: session.id, info: finalised });
  }
  return unfinished.length;
}

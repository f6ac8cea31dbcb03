// Crash recovery: a process killed mid-run leaves assistant messages open; the next start
// finalises them as aborted (streaming parts closed, unfinished tools in error), as upstream does.
import { ABORTED } from "../agent/agent-errors.js";
import type { SessionDeps } from "./session-deps.js";

/** Finalises every run a previous process left open; answers how many messages it closed. */
export async function finaliseInterruptedRuns(deps: Pick<SessionDeps, "store" | "events">): Promise<number> {
  const { store, events } = deps;
  const unfinished = await store.listUnfinishedAssistantMessages();
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

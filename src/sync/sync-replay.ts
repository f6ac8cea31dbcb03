// Replaying a session's sync history from elsewhere (another server, a workspace) into this one:
// the events are checked (one session, contiguous seq continuing ours), applied to the store in
// order, and published again, so clients and the sync log see them as if they had happened here.
// The session lands in the given directory (and that directory's project).
import type { EventProperties, EventType } from "../bus/event-bus.js";
import path from "node:path";
import type { Message, Part, Session } from "../../generated/schemas.js";
import type { SessionDeps } from "../session/session-deps.js";
import { InvalidRequestError } from "../domain-errors.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";
import type { SyncEventLog } from "./sync-event-log.js";

/** A replayed event's data as the spec declares that event: the request's schema checked it, and the bus checks it again. */
function asDeclared<T extends EventType>(_type: T, data: Record<string, unknown>): EventProperties<T> {
  return data as EventProperties<T>;
}

export interface ReplayedEvent {
  id: string;
  aggregateID: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

const KNOWN_TYPES = new Set([
  "session.created.1",
  "session.updated.1",
  "session.deleted.1",
  "message.updated.1",
  "message.removed.1",
  "message.part.updated.1",
  "message.part.removed.1",
]);

function check(events: ReplayedEvent[], firstSeq: number): void {
  const aggregateID = events[0]!.aggregateID;
  events.forEach((event, index) => {
    if (event.aggregateID !== aggregateID)
      throw new InvalidRequestError(`All events must belong to one session: ${event.aggregateID} is not ${aggregateID}`);
    if (!KNOWN_TYPES.has(event.type)) throw new InvalidRequestError(`Unknown sync event type: ${event.type}`);
    if (event.seq !== firstSeq + index)
      throw new InvalidRequestError(`Expected seq ${firstSeq + index} for ${aggregateID}, got ${event.seq}`);
  });
  if (firstSeq === 0 && events[0]!.type !== "session.created.1")
    throw new InvalidRequestError("A new session's history must start with session.created.1");
}

export async function replaySyncEvents(
  services: Pick<SessionDeps, "store" | "projects" | "events">,
  log: SyncEventLog,
  directory: string,
  events: ReplayedEvent[],
): Promise<string> {
  const sessionID = events[0]!.aggregateID;
  const last = await log.lastSeq(sessionID);
  check(events, last === undefined ? 0 : last + 1);
  const project = await services.projects.locate(directory);
  const worktree = findWorktree(directory);
  const place = (info: Session): Session => ({
    ...info,
    directory,
    projectID: project.id,
    path: worktree === NO_WORKTREE ? "" : path.relative(worktree, directory),
  });
  let session = await services.store.getSession(sessionID);
  for (const event of events) {
    const data = event.data;
    const type = event.type.replace(/\.1$/, "");
    switch (type) {
      case "session.created":
      case "session.updated":
        session = place(data.info as Session);
        await services.store.putSession(session);
        await services.events.publish(session, type, { ...data, sessionID, info: session });
        continue;
    }
    if (!session) throw new InvalidRequestError(`${event.type} for ${sessionID} before the session exists`);
    const current: Session = session;
    switch (type) {
      case "session.deleted": {
        const seq = await services.events.nextSeq(sessionID);
        await services.store.deleteSession(sessionID);
        await services.events.publish(current, type, { ...data, sessionID, info: current }, seq);
        session = undefined;
        break;
      }
      case "message.updated":
        await services.store.putMessage(data.info as Message);
        await services.events.publish(current, type, asDeclared(type, data));
        break;
      case "message.removed":
        await services.store.deleteMessage(sessionID, String(data.messageID));
        await services.events.publish(current, type, asDeclared(type, data));
        break;
      case "message.part.updated":
        await services.store.putPart(data.part as Part);
        await services.events.publish(current, type, asDeclared(type, data));
        break;
      case "message.part.removed":
        await services.store.deletePart(String(data.messageID), String(data.partID));
        await services.events.publish(current, type, asDeclared(type, data));
        break;
    }
  }
  return sessionID;
}

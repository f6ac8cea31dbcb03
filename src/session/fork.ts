// Forking a session: a new session (same project and directory, no parent) holding copies of
// the messages before a given one, or of all of them, with new ids, as upstream does.
import type { Message, Part, Session } from "../../generated/schemas.js";
import { createId } from "../id.js";
import type { Store } from "../storage/store.js";
import type { SessionEvents } from "./session-events.js";
import type { SessionService } from "./session-service.js";

/** "<title> (fork #N)", N one more than the forks of that title so far. */
async function forkTitle(store: Store, source: Session): Promise<string> {
  const base = source.title.replace(/ \(fork #\d+\)$/, "");
  const siblings = await store.listSessions({ projectID: source.projectID, search: `${base} (fork #` });
  const numbers = siblings
    .map((s) => /\(fork #(\d+)\)$/.exec(s.title)?.[1])
    .map(Number)
    .filter(Number.isFinite);
  return `${base} (fork #${Math.max(0, ...numbers) + 1})`;
}

export async function forkSession(
  deps: { store: Store; sessions: SessionService; events: SessionEvents },
  sessionID: string,
  beforeMessageID?: string,
): Promise<Session> {
  const { store, sessions, events } = deps;
  const source = await sessions.get(sessionID);
  const fork = await sessions.create(source.directory, { title: await forkTitle(store, source) });
  const history = await store.listMessages(sessionID);
  const cut = beforeMessageID ? history.findIndex((m) => m.info.id === beforeMessageID) : -1;
  const copied = cut >= 0 ? history.slice(0, cut) : history;
  const newIds = new Map<string, string>();
  for (const { info, parts } of copied) {
    const id = createId("msg");
    newIds.set(info.id, id);
    const copy = { ...info, id, sessionID: fork.id } as Message;
    if (copy.role === "assistant" && copy.parentID) copy.parentID = newIds.get(copy.parentID) ?? copy.parentID;
    await store.putMessage(copy);
    await events.publish(fork, "message.updated", { sessionID: fork.id, info: copy });
    for (const part of parts) {
      const partCopy = { ...part, id: createId("prt"), sessionID: fork.id, messageID: id } as Part;
      await store.putPart(partCopy);
      await events.publish(fork, "message.part.updated", { sessionID: fork.id, part: partCopy, time: Date.now() });
    }
  }
  return fork;
}

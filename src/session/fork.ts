// Forking a session: a new session (same project and directory, no parent) holding copies of
// the messages before a given one, or of all of them, with new ids, as upstream does.
import type { Message, Part, Session } from "../../generated/schemas.js";
import { createId } from "../id.js";
import type { Store } from "../storage/store.js";
import type { SessionEvents } from "./session-events.js";
import type { SessionService } from "./session-service.js";

/** Upstream's fork title: "<title> (fork #1)", and a fork of a fork counts on ("(fork #2)"). */
export function forkTitle(title: string): string {
  const numbered = / \(fork #(\d+)\)$/.exec(title);
  return numbered ? `${title.slice(0, numbered.index)} (fork #${Number(numbered[1]) + 1})` : `${title} (fork #1)`;
}

export async function forkSession(
  deps: { store: Store; sessions: SessionService; events: SessionEvents },
  sessionID: string,
  beforeMessageID?: string,
): Promise<Session> {
  const { store, sessions, events } = deps;
  const source = await sessions.get(sessionID);
  const fork = await sessions.create(source.directory, { title: forkTitle(source.title) });
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

// Reading and editing the messages and parts of a session.
import type { Part } from "../../generated/schemas.js";
import { HttpError, notFound } from "../server/errors.js";
import type { MessageWithParts, Store } from "../storage/store.js";
import type { SessionEvents } from "./session-events.js";
import type { SessionService } from "./session-service.js";

export function messageNotFound(id: string) {
  return notFound(`Message not found: ${id}`);
}

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly events: SessionEvents,
  ) {}

  async list(sessionID: string, limit?: number): Promise<MessageWithParts[]> {
    await this.sessions.get(sessionID);
    return this.store.listMessages(sessionID, limit);
  }

  async get(sessionID: string, messageID: string): Promise<MessageWithParts> {
    await this.sessions.get(sessionID);
    const message = await this.store.getMessage(sessionID, messageID);
    if (!message) throw messageNotFound(messageID);
    return message;
  }

  async remove(sessionID: string, messageID: string): Promise<void> {
    const session = await this.sessions.get(sessionID);
    if (!(await this.store.deleteMessage(sessionID, messageID))) throw messageNotFound(messageID);
    await this.events.publish(session, "message.removed", { sessionID, messageID });
  }

  async removePart(sessionID: string, messageID: string, partID: string): Promise<void> {
    const session = await this.sessions.get(sessionID);
    if (!(await this.store.getMessage(sessionID, messageID))) throw messageNotFound(messageID);
    if (!(await this.store.deletePart(messageID, partID))) throw notFound(`Part not found: ${partID}`);
    await this.events.publish(session, "message.part.removed", { sessionID, messageID, partID });
  }

  /** Replaces a part with the client's version; its ids must be the ones in the path. */
  async updatePart(sessionID: string, messageID: string, partID: string, part: Part): Promise<Part> {
    const session = await this.sessions.get(sessionID);
    if (part.id !== partID || part.messageID !== messageID || part.sessionID !== sessionID) {
      throw new HttpError(400, {
        name: "BadRequest",
        data: { message: "The part's id, messageID and sessionID must match the path", kind: "Payload" },
      });
    }
    if (!(await this.store.getMessage(sessionID, messageID))) throw messageNotFound(messageID);
    if (!(await this.store.getPart(messageID, partID))) throw notFound(`Part not found: ${partID}`);
    await this.store.putPart(part);
    await this.events.publish(session, "message.part.updated", { sessionID, part, time: Date.now() });
    return part;
  }
}

// Reading and editing the messages and parts of a session.
import type { Part } from "../../generated/schemas.js";
import { InvalidRequestError, NotFoundError } from "../domain-errors.js";
import type { MessageWithParts, Store } from "../storage/store.js";
import type { SessionEvents } from "./session-events.js";
import type { SessionService } from "./session-service.js";

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

  /** list(), as the JSON array the database joins from the stored JSON (answers sent as it is). */
  async listStored(sessionID: string, limit?: number): Promise<Buffer> {
    await this.sessions.get(sessionID);
    return this.store.listMessagesJson(sessionID, limit);
  }

  async get(sessionID: string, messageID: string): Promise<MessageWithParts> {
    await this.sessions.get(sessionID);
    const message = await this.store.getMessage(sessionID, messageID);
    if (!message) throw new NotFoundError("Message", messageID, sessionID);
    return message;
  }

  async remove(sessionID: string, messageID: string): Promise<void> {
    const session = await this.sessions.get(sessionID);
    if (!(await this.store.deleteMessage(sessionID, messageID))) throw new NotFoundError("Message", messageID, sessionID);
    await this.events.publish(session, "message.removed", { sessionID, messageID });
  }

  async removePart(sessionID: string, messageID: string, partID: string): Promise<void> {
    const session = await this.sessions.get(sessionID);
    if (!(await this.store.getMessage(sessionID, messageID))) throw new NotFoundError("Message", messageID, sessionID);
    if (!(await this.store.deletePart(messageID, partID))) throw new NotFoundError("Part", partID, sessionID);
    await this.events.publish(session, "message.part.removed", { sessionID, messageID, partID });
  }

  /** Replaces a part with the client's version; its ids must be the ones in the path. */
  async updatePart(sessionID: string, messageID: string, partID: string, part: Part): Promise<Part> {
    const session = await this.sessions.get(sessionID);
    if (part.id !== partID || part.messageID !== messageID || part.sessionID !== sessionID) {
      throw new InvalidRequestError("The part's id, messageID and sessionID must match the path");
    }
    if (!(await this.store.getMessage(sessionID, messageID))) throw new NotFoundError("Message", messageID, sessionID);
    if (!(await this.store.getPart(messageID, partID))) throw new NotFoundError("Part", partID, sessionID);
    await this.store.putPart(part);
    await this.events.publish(session, "message.part.updated", { sessionID, part, time: Date.now() });
    return part;
  }
}

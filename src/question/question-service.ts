// Questions an agent asks the user (the question tool): question.asked, then a reply with the
// chosen labels or a rejection (the tool fails and the run stops, as upstream). In a pool, the
// reply may reach any node: it is passed on to the node whose run waits (../cluster/pending-requests.ts).
import type { PublishToAsync } from "../bus/event-bus.js";
import type { QuestionAnswer, QuestionInfo, QuestionRequest } from "../../generated/schemas.js";
import type { PendingRequests } from "../cluster/pending-requests.js";
import { createId } from "../id.js";
import { NotFoundError } from "../domain-errors.js";

/** The user dismissed the question: the tool fails with this and the run stops after the step. */
export class QuestionRejectedError extends Error {
  constructor() {
    super("The user dismissed this question");
  }
}

/** The user's answers, or undefined for a dismissed question. */
export type QuestionReply = { answers: QuestionAnswer[] } | { rejected: true };

export function questionNotFound(requestID: string): NotFoundError {
  return new NotFoundError("Question", requestID);
}

export class QuestionService {
  constructor(
    private readonly pending: PendingRequests<QuestionRequest, QuestionReply>,
    private readonly publish: PublishToAsync<string>,
  ) {
    // A reply another node received for a question this node's run waits on.
    pending.onForwarded((id, body) => void this.answer(id, body as QuestionReply).catch(() => undefined));
  }

  /** The questions waiting for a reply (on every node of a pool). */
  list(): Promise<QuestionRequest[]> {
    return this.pending.list();
  }

  async ask(
    sessionID: string,
    questions: QuestionInfo[],
    tool: { messageID: string; callID: string },
    signal: AbortSignal,
    /** Called once question.asked is published (the tool's part waits for it to show "running"). */
    onAsked?: () => void,
  ): Promise<QuestionAnswer[]> {
    const request: QuestionRequest = { id: createId("que"), sessionID, questions, tool };
    const { answered } = await this.pending.open(request);
    const onAbort = () => this.pending.drop(request.id, new Error("Tool execution aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    await this.publish(sessionID, "question.asked", request);
    onAsked?.();
    let reply: QuestionReply;
    try {
      reply = await answered;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    const requestID = request.id;
    if ("rejected" in reply) {
      await this.publish(sessionID, "question.rejected", { sessionID, requestID });
      throw new QuestionRejectedError();
    }
    await this.publish(sessionID, "question.replied", { sessionID, requestID, answers: reply.answers });
    return reply.answers;
  }

  reply(requestID: string, answers: QuestionAnswer[]): Promise<void> {
    return this.answer(requestID, { answers });
  }

  reject(requestID: string): Promise<void> {
    return this.answer(requestID, { rejected: true });
  }

  /** Ends this node's pending questions of a session (abort, delete). */
  dropSession(sessionID: string): void {
    this.pending.dropSession(sessionID, () => new Error("Tool execution aborted"));
  }

  /** Answers a question here, or passes the answer to the node whose run waits for it. */
  private async answer(requestID: string, reply: QuestionReply): Promise<void> {
    const located = await this.pending.locate(requestID);
    if (!located) throw questionNotFound(requestID);
    if ("node" in located) return this.pending.forward(located.node, requestID, reply);
    located.here.resolve(reply);
  }
}

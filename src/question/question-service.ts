// Questions an agent asks the user (the question tool): question.asked, then a reply with the
// chosen labels or a rejection (the tool fails and the run stops, as upstream).
import type { PublishToAsync } from "../bus/event-bus.js";
import type { QuestionAnswer, QuestionInfo, QuestionRequest } from "../../generated/schemas.js";
import { createId } from "../id.js";
import { NotFoundError } from "../domain-errors.js";

/** The user dismissed the question: the tool fails with this and the run stops after the step. */
export class QuestionRejectedError extends Error {
  constructor() {
    super("The user dismissed this question");
  }
}

interface Pending {
  request: QuestionRequest;
  resolve: (answers: QuestionAnswer[]) => void;
  reject: (error: Error) => void;
}

export function questionNotFound(requestID: string): NotFoundError {
  return new NotFoundError("Question", requestID);
}

export class QuestionService {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly publish: PublishToAsync<string>) {}

  list(): QuestionRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  async ask(
    sessionID: string,
    questions: QuestionInfo[],
    tool: { messageID: string; callID: string },
    signal: AbortSignal,
  ): Promise<QuestionAnswer[]> {
    const request: QuestionRequest = { id: createId("que"), sessionID, questions, tool };
    const answered = new Promise<QuestionAnswer[]>((resolve, reject) => this.pending.set(request.id, { request, resolve, reject }));
    const onAbort = () => this.drop(request.id, new Error("Tool execution aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    await this.publish(sessionID, "question.asked", request);
    try {
      return await answered;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async reply(requestID: string, answers: QuestionAnswer[]): Promise<void> {
    const entry = this.take(requestID);
    await this.publish(entry.request.sessionID, "question.replied", { sessionID: entry.request.sessionID, requestID, answers });
    entry.resolve(answers);
  }

  async reject(requestID: string): Promise<void> {
    const entry = this.take(requestID);
    await this.publish(entry.request.sessionID, "question.rejected", { sessionID: entry.request.sessionID, requestID });
    entry.reject(new QuestionRejectedError());
  }

  dropSession(sessionID: string): void {
    for (const [id, entry] of this.pending) if (entry.request.sessionID === sessionID) this.drop(id, new Error("Tool execution aborted"));
  }

  private take(requestID: string): Pending {
    const entry = this.pending.get(requestID);
    if (!entry) throw questionNotFound(requestID);
    this.pending.delete(requestID);
    return entry;
  }

  private drop(requestID: string, error: Error): void {
    const entry = this.pending.get(requestID);
    if (!entry) return;
    this.pending.delete(requestID);
    entry.reject(error);
  }
}

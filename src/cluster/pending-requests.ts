// Requests a run waits on (a permission, a question), kept where every node of the pool sees them.
// The node whose run asked keeps the waiter; the request goes into the cluster store so that any
// node lists it, and a reply that reaches another node is passed on to the waiting one as a
// signal. A node lists only its own requests when it has no way to signal the others (LocalSignals).
import type { ClusterSignals } from "./cluster-signals.js";
import type { ClusterStore, PendingRecord } from "../storage/cluster-store.js";

export type PendingStore = Pick<ClusterStore, "putPendingRequest" | "deletePendingRequest" | "getPendingRequest" | "listPendingRequests">;

interface Waiter<Request, Answer> {
  request: Request;
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
}

/** Where a request's waiter is: here, on another node, or nowhere (answered, dropped, its node gone). */
export type Located<Request, Answer> = { here: Waiter<Request, Answer> } | { node: string } | undefined;

export class PendingRequests<Request extends { id: string; sessionID: string }, Answer> {
  private readonly waiters = new Map<string, Waiter<Request, Answer>>();

  constructor(
    private readonly kind: PendingRecord["kind"],
    private readonly store: PendingStore,
    private readonly signals: ClusterSignals,
    /** Whether other nodes can be signalled (a pool), so that their requests are listed too. */
    private readonly pooled: boolean,
  ) {}

  /** Registers the request; once every node can see it, answers the promise of its answer. */
  async open(request: Request): Promise<{ answered: Promise<Answer> }> {
    const answered = new Promise<Answer>((resolve, reject) => this.waiters.set(request.id, { request, resolve, reject }));
    await this.store.putPendingRequest({
      id: request.id,
      kind: this.kind,
      sessionID: request.sessionID,
      nodeID: this.signals.nodeID,
      request,
    });
    // Wrapped: an async function's result would wait for the answer itself.
    return { answered };
  }

  /** The requests waiting, oldest first: this node's, and in a pool every live node's. */
  async list(): Promise<Request[]> {
    const records = await this.store.listPendingRequests<Request>(this.kind, Date.now(), this.pooled ? undefined : this.signals.nodeID);
    return records.map((record) => record.request);
  }

  /** A request still waiting, wherever it waits. */
  async find(id: string): Promise<Request | undefined> {
    const here = this.waiters.get(id);
    if (here || !this.pooled) return here?.request;
    return (await this.store.getPendingRequest<Request>(id, Date.now()))?.request;
  }

  /** Takes this node's waiter of the request out (to answer it), or says which node waits for it. */
  async locate(id: string): Promise<Located<Request, Answer>> {
    const here = this.waiters.get(id);
    if (here) {
      await this.forget(id);
      return { here };
    }
    if (!this.pooled) return undefined;
    const record = await this.store.getPendingRequest<Request>(id, Date.now());
    return record && record.nodeID !== this.signals.nodeID ? { node: record.nodeID } : undefined;
  }

  /** Hands an answer to the node that waits for the request. */
  forward(node: string, id: string, body: Record<string, unknown>): Promise<void> {
    return this.signals.send({ topic: `${this.kind}.reply`, node, body: { ...body, id } });
  }

  /** Calls `handler` with the answers other nodes forward to this one. */
  onForwarded(handler: (id: string, body: Record<string, unknown>) => void): () => void {
    return this.signals.on(`${this.kind}.reply`, (body) => {
      if (typeof body.id === "string") handler(body.id, body);
    });
  }

  /** Ends one request of this node with `error` (its run was aborted). */
  drop(id: string, error: Error): void {
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    void this.forget(id).catch(() => undefined);
    waiter.reject(error);
  }

  /** Ends this node's requests of a session with `error`. */
  dropSession(sessionID: string, error: () => Error): void {
    for (const [id, waiter] of this.waiters) if (waiter.request.sessionID === sessionID) this.drop(id, error());
  }

  private forget(id: string): Promise<void> {
    this.waiters.delete(id);
    return this.store.deletePendingRequest(id);
  }
}

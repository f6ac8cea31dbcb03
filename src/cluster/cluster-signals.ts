// Messages between the nodes of a pool on a shared database. A node that is asked for something
// only another node can do (answer a permission its run waits on, abort a run it runs) sends a
// signal; the node it names does it. Signals are small (ids and a reply), never events: events
// travel on the bus. A single node has no one to signal: LocalSignals drops what it is sent.
export interface ClusterSignal {
  /** What the signal asks for, e.g. "permission.reply", "run.abort". */
  topic: string;
  /** The node meant to act (`RunLeases.nodeID`); every node receives it and the others ignore it. */
  node: string;
  /** A small JSON object; a signal's JSON stays under 7,000 bytes (PostgreSQL NOTIFY's limit is 8,000). */
  body: Record<string, unknown>;
}

export interface ClusterSignals {
  /** This node's id: the one signals for this node carry. */
  readonly nodeID: string;
  /** Sends the signal to every other node of the pool; resolves once it is on its way. */
  send(signal: ClusterSignal): Promise<void>;
  /** Calls `handler` for each signal of `topic` meant for this node; answers a function that stops it. */
  on(topic: string, handler: (body: Record<string, unknown>) => void): () => void;
}

/** One node alone: nothing to send to, nothing to receive. */
export class LocalSignals implements ClusterSignals {
  constructor(readonly nodeID: string) {}

  async send(): Promise<void> {}

  on(): () => void {
    return () => {};
  }
}

// The request queue between the server and a TUI that drives it from outside: server code asks
// the TUI something (`call`), the TUI fetches it with GET /tui/control/next and answers with
// POST /tui/control/response, which resolves the waiting call. Answers are taken in order, as
// upstream does: one response per request, first come first served.

export interface TuiRequest {
  path: string;
  body: unknown;
}

/** A first-in first-out queue whose readers wait until something arrives. */
class WaitingQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: ((item: T) => void)[] = [];

  push(item: T): void {
    const taker = this.takers.shift();
    if (taker) taker(item);
    else this.items.push(item);
  }

  /** The next item; a reader that gives up (signal) leaves the queue, so no item is lost to it. */
  next(signal?: AbortSignal): Promise<T> {
    if (this.items.length) return Promise.resolve(this.items.shift()!);
    return new Promise<T>((resolve, reject) => {
      const taker = (item: T) => {
        signal?.removeEventListener("abort", leave);
        resolve(item);
      };
      const leave = () => {
        const index = this.takers.indexOf(taker);
        if (index >= 0) this.takers.splice(index, 1);
        reject(signal!.reason);
      };
      if (signal?.aborted) return leave();
      signal?.addEventListener("abort", leave, { once: true });
      this.takers.push(taker);
    });
  }

  get waiting(): number {
    return this.takers.length;
  }
}

export class TuiControl {
  private readonly requests = new WaitingQueue<TuiRequest>();
  private readonly responses = new WaitingQueue<unknown>();

  /** Queues a request for the TUI and waits for its answer. */
  call(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    this.requests.push({ path, body });
    return this.responses.next(signal);
  }

  /** The next queued request; waits for one when none is queued. */
  nextRequest(signal?: AbortSignal): Promise<TuiRequest> {
    return this.requests.next(signal);
  }

  /** The TUI's answer to the oldest request still waiting. */
  respond(body: unknown): void {
    this.responses.push(body);
  }

  /** How many controllers wait in GET /tui/control/next. */
  get waitingControllers(): number {
    return this.requests.waiting;
  }
}

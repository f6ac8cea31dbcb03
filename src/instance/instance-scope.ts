// What the server holds per directory (an "instance", as upstream calls it): language servers,
// MCP clients, plugins, external agents' processes, terminals, file watchers, the config read.
// Each holder joins the one scope, so disposing an instance releases all of it, and shutting
// down releases everything, instead of a hand-kept list that forgets one.
import type { Logger } from "pino";

/** A holder of per-directory state. */
export interface DirectoryState {
  /** Releases what it holds for the directory; the next use starts it afresh. */
  forget(directory: string): void | Promise<void>;
  /** Releases everything (global dispose, shutdown). */
  closeAll(): void | Promise<void>;
}

export class InstanceScope {
  constructor(
    /** Named, for the log when one fails to let go. */
    private readonly holders: Record<string, DirectoryState>,
    private readonly log: Pick<Logger, "warn">,
  ) {}

  /** Releases a directory's state in every holder; one that fails does not keep the others. */
  async dispose(directory: string): Promise<void> {
    await this.each((holder) => holder.forget(directory), directory);
  }

  /** Releases every directory's state in every holder. */
  async disposeAll(): Promise<void> {
    await this.each((holder) => holder.closeAll());
  }

  private async each(release: (holder: DirectoryState) => void | Promise<void>, directory?: string): Promise<void> {
    for (const [name, holder] of Object.entries(this.holders)) {
      try {
        await release(holder);
      } catch (error) {
        this.log.warn({ err: error, holder: name, directory }, "releasing instance state failed");
      }
    }
  }
}

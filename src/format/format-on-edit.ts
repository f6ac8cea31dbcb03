// Formatting files the agent changed, as upstream does: when the edit or write tool reports
// file.edited, the configured formatter for the file's extension (see ./formatters.ts) runs on it
// in the project's folder. A formatter that fails only leaves a line in the log.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Logger } from "pino";
import type { EventBus } from "../bus/event-bus.js";
import type { ConfigService } from "../config/config-service.js";
import { formatterFor } from "./formatters.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

const run = promisify(execFile);

export class FormatOnEdit {
  private readonly stopListening: () => void;
  private readonly running = new Set<Promise<void>>();

  constructor(
    bus: EventBus,
    private readonly configs: ConfigService,
    private readonly log: Logger,
  ) {
    this.stopListening = bus.subscribeAll(
      (frame) => {
        if (frame.payload.type !== "file.edited" || !frame.directory || frame.directory === "global") return;
        const file = (frame.payload as { properties: { file?: unknown } }).properties.file;
        if (typeof file !== "string") return;
        const job = this.format(frame.directory, file).finally(() => this.running.delete(job));
        this.running.add(job);
      },
      { internal: true },
    );
  }

  private async format(directory: string, file: string): Promise<void> {
    try {
      const formatter = formatterFor(await this.configs.forDirectory(directory), directory, file);
      if (!formatter) return;
      const [program, ...args] = formatter.command.map((part) => part.replaceAll("$FILE", file));
      const worktree = findWorktree(directory);
      await run(program!, args, {
        cwd: worktree === NO_WORKTREE ? directory : worktree,
        env: { ...process.env, ...formatter.environment },
      });
      this.log.info({ formatter: formatter.name, file }, "formatted");
    } catch (error) {
      this.log.error({ err: error, file }, "formatter failed");
    }
  }

  /** Resolves when the formatters started so far have finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  /** Stops formatting and waits for the formatters still running. */
  async stop(): Promise<void> {
    this.stopListening();
    await this.idle();
  }
}

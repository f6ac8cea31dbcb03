// Terminals (pty.*): real pseudo-terminals (node-pty) running a shell or a command in a project,
// their output kept (a bounded scrollback) for clients that connect later over a WebSocket, and
// their life published as pty.created / pty.updated / pty.exited / pty.deleted.
//
// A terminal belongs to the directory it was created for: another directory neither lists nor
// reaches it. An exited terminal stays (status "exited", its exit code) until it is removed. Output
// is counted from the terminal's start: a client connecting with a cursor gets what followed that
// point (as far as the scrollback still holds it), then the cursor of the end of what it got.
// Connect tickets are single use, expire after TICKET_SECONDS and open one terminal of one directory.
import type { PublishTo } from "../bus/event-bus.js";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type * as NodePty from "node-pty";
import { createRequire } from "node:module";
import type { Pty } from "../../generated/schemas.js";
import { NotFoundError } from "../domain-errors.js";
import { createId } from "../id.js";

type Publish = PublishTo<string>;

/** What a connected client gets: output as it comes, and the end. */
export interface PtyListener {
  output(data: string): void;
  closed(): void;
}

interface Terminal {
  info: Pty;
  directory: string;
  process: NodePty.IPty;
  /** The last SCROLLBACK_CHARS of output. */
  scrollback: string;
  /** How much output there was in all: the cursor at the end of the scrollback. */
  written: number;
  listeners: Set<PtyListener>;
}

const SCROLLBACK_CHARS = 2 * 1024 * 1024;
export const TICKET_SECONDS = 60;
/** At most this many unused tickets are kept; the oldest go first. */
const MAX_TICKETS = 10_000;

export interface PtyCreate {
  command?: string;
  args?: string[];
  cwd?: string;
  title?: string;
  env?: Record<string, string>;
}

/** A client's link to a terminal, made by attach: what to replay first, then live output. */
export interface PtyAttachment {
  /** The retained output after the client's cursor (all of it without one, none for -1). */
  replay: string;
  /** The cursor at the end of the replay: where the live output the listener gets starts. */
  cursor: number;
  write(data: string): void;
  detach(): void;
}

/** The login shells this machine lists (/etc/shells) that exist. */
export function availableShells(): { path: string; name: string; acceptable: boolean }[] {
  const listed = existsSync("/etc/shells") ? readFileSync("/etc/shells", "utf8").split("\n") : [];
  return listed
    .map((line) => line.trim())
    .filter((line) => line.startsWith("/") && existsSync(line))
    .map((file) => ({ path: file, name: path.basename(file), acceptable: !/nologin|false$/.test(file) }));
}

function defaultShell(): string {
  const shell = process.env.SHELL;
  return shell && existsSync(shell) ? shell : (availableShells().find((s) => s.name === "bash")?.path ?? "/bin/sh");
}

export class PtyService {
  private readonly terminals = new Map<string, Terminal>();
  /** ticket -> what it opens; a Map keeps insertion order, so the first entries are the oldest. */
  private readonly tickets = new Map<string, { ptyID: string; directory: string; expires: number }>();

  constructor(
    private readonly publish: Publish,
    private readonly ticketSeconds = TICKET_SECONDS,
  ) {}

  create(directory: string, request: PtyCreate): Pty {
    const command = request.command ?? defaultShell();
    const args = request.args ?? [];
    const cwd = request.cwd ? path.resolve(directory, request.cwd) : directory;
    // node-pty (native) loads with the first terminal.
    const nodePty = createRequire(import.meta.url)("node-pty") as typeof NodePty;
    const child = nodePty.spawn(command, args, {
      name: "xterm-256color",
      cols: 80,
      rows: 24,
      cwd,
      env: { ...(process.env as Record<string, string>), TERM: "xterm-256color", ...request.env },
    });
    const id = createId("pty");
    const terminal: Terminal = {
      info: { id, title: request.title ?? path.basename(command), command, args, cwd, status: "running", pid: child.pid },
      directory,
      process: child,
      scrollback: "",
      written: 0,
      listeners: new Set(),
    };
    this.terminals.set(id, terminal);
    child.onData((data) => {
      terminal.scrollback = (terminal.scrollback + data).slice(-SCROLLBACK_CHARS);
      terminal.written += data.length;
      for (const listener of terminal.listeners) listener.output(data);
    });
    child.onExit((exit) => {
      const exitCode = Math.max(0, exit.exitCode);
      terminal.info = { ...terminal.info, status: "exited", exitCode };
      this.publish(directory, "pty.exited", { id, exitCode });
      this.publish(directory, "pty.updated", { info: terminal.info });
      for (const listener of terminal.listeners) listener.closed();
      terminal.listeners.clear();
    });
    this.publish(directory, "pty.created", { info: terminal.info });
    return terminal.info;
  }

  /** The directory's terminal; with `running`, only while it runs (what the v1 routes reach). */
  private terminal(directory: string, id: string, running = false): Terminal {
    const terminal = this.terminals.get(id);
    if (!terminal || terminal.directory !== directory || (running && terminal.info.status !== "running"))
      throw new NotFoundError("Pty", id);
    return terminal;
  }

  /** The directory's terminals; exited ones too unless `runningOnly` (v1 lists only running ones). */
  list(directory: string, runningOnly = false): Pty[] {
    return [...this.terminals.values()]
      .filter((t) => t.directory === directory && (!runningOnly || t.info.status === "running"))
      .map((t) => t.info);
  }

  get(directory: string, id: string, running = false): Pty {
    return this.terminal(directory, id, running).info;
  }

  update(directory: string, id: string, change: { title?: string; size?: { rows: number; cols: number } }, running = false): Pty {
    const terminal = this.terminal(directory, id, running);
    if (change.size && terminal.info.status === "running") terminal.process.resize(change.size.cols, change.size.rows);
    if (change.title !== undefined) terminal.info = { ...terminal.info, title: change.title };
    this.publish(terminal.directory, "pty.updated", { info: terminal.info });
    return terminal.info;
  }

  remove(directory: string, id: string): void {
    const terminal = this.terminal(directory, id);
    this.terminals.delete(id);
    for (const [ticket, entry] of this.tickets) if (entry.ptyID === id) this.tickets.delete(ticket);
    if (terminal.info.status === "running") terminal.process.kill();
    for (const listener of terminal.listeners) listener.closed();
    terminal.listeners.clear();
    this.publish(terminal.directory, "pty.deleted", { id });
  }

  /** A single-use ticket that lets a client (a browser cannot send auth headers on a WebSocket) connect to a running terminal. */
  connectToken(directory: string, id: string): { ticket: string; expires_in: number } {
    this.terminal(directory, id, true);
    const now = Date.now();
    for (const [ticket, entry] of this.tickets) if (entry.expires <= now) this.tickets.delete(ticket);
    while (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
    const ticket = randomUUID();
    this.tickets.set(ticket, { ptyID: id, directory, expires: now + this.ticketSeconds * 1000 });
    return { ticket, expires_in: this.ticketSeconds };
  }

  /** Uses up a ticket (whatever it was presented for): true when it was issued for this terminal of this directory and has not expired. */
  redeem(ticket: string, directory: string, id: string): boolean {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return !!entry && entry.ptyID === id && entry.directory === directory && entry.expires > Date.now();
  }

  /** Whether the directory has this terminal, running. */
  isRunning(directory: string, id: string): boolean {
    const terminal = this.terminals.get(id);
    return !!terminal && terminal.directory === directory && terminal.info.status === "running";
  }

  /**
   * Connects a client to a running terminal. `cursor` is a point in the terminal's output: the
   * replay is what the scrollback holds after it; without a cursor all of the scrollback, with -1
   * nothing. The listener gets the output that follows the replay.
   */
  attach(directory: string, id: string, listener: PtyListener, cursor?: number): PtyAttachment {
    const terminal = this.terminal(directory, id, true);
    const retainedFrom = terminal.written - terminal.scrollback.length;
    const from =
      cursor === undefined ? retainedFrom : cursor === -1 ? terminal.written : Math.max(retainedFrom, Math.min(cursor, terminal.written));
    terminal.listeners.add(listener);
    return {
      replay: terminal.scrollback.slice(from - retainedFrom),
      cursor: terminal.written,
      write: (data) => {
        if (terminal.info.status === "running") terminal.process.write(data);
      },
      detach: () => terminal.listeners.delete(listener),
    };
  }

  /** Ends the terminals of a directory (its instance is disposed). */
  forget(directory: string): void {
    for (const [id, terminal] of this.terminals) if (terminal.directory === directory) this.end(id, terminal);
  }

  closeAll(): void {
    for (const [id, terminal] of this.terminals) this.end(id, terminal);
    this.tickets.clear();
  }

  private end(id: string, terminal: Terminal): void {
    if (terminal.info.status === "running") terminal.process.kill();
    for (const listener of terminal.listeners) listener.closed();
    this.terminals.delete(id);
  }
}

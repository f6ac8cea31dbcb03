// Terminals (pty.*): real pseudo-terminals (node-pty) running a shell or a command in a project,
// their output kept (a bounded scrollback) for clients that connect later over a WebSocket, and
// their life published as pty.created / pty.updated / pty.exited / pty.deleted.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type * as NodePty from "node-pty";
import { createRequire } from "node:module";
import type { Pty } from "../../generated/schemas.js";
import { createId } from "../id.js";
import { HttpError } from "../server/errors.js";

type Publish = (directory: string, type: string, properties: Record<string, unknown>) => void;

/** What a connected client gets: output as it comes, and the end. */
export interface PtyListener {
  output(data: string): void;
  closed(): void;
}

interface Terminal {
  info: Pty;
  directory: string;
  process: NodePty.IPty;
  scrollback: string;
  listeners: Set<PtyListener>;
}

const SCROLLBACK_CHARS = 1_000_000;
const TICKET_SECONDS = 60;

export interface PtyCreate {
  command?: string;
  args?: string[];
  cwd?: string;
  title?: string;
  env?: Record<string, string>;
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
  private readonly tickets = new Map<string, { ptyID: string; expires: number }>();

  constructor(private readonly publish: Publish) {}

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
      listeners: new Set(),
    };
    this.terminals.set(id, terminal);
    child.onData((data) => {
      terminal.scrollback = (terminal.scrollback + data).slice(-SCROLLBACK_CHARS);
      for (const listener of terminal.listeners) listener.output(data);
    });
    child.onExit(({ exitCode }) => {
      terminal.info = { ...terminal.info, status: "exited", exitCode };
      this.publish(directory, "pty.exited", { id, exitCode });
      this.publish(directory, "pty.updated", { info: terminal.info });
      for (const listener of terminal.listeners) listener.closed();
      terminal.listeners.clear();
    });
    this.publish(directory, "pty.created", { info: terminal.info });
    return terminal.info;
  }

  private terminal(id: string): Terminal {
    const terminal = this.terminals.get(id);
    if (!terminal) throw new HttpError(404, { _tag: "PtyNotFoundError", ptyID: id, message: `Terminal not found: ${id}` });
    return terminal;
  }

  list(directory: string): Pty[] {
    return [...this.terminals.values()].filter((t) => t.directory === directory).map((t) => t.info);
  }

  get(id: string): Pty {
    return this.terminal(id).info;
  }

  update(id: string, change: { title?: string; size?: { rows: number; cols: number } }): Pty {
    const terminal = this.terminal(id);
    if (change.size && terminal.info.status === "running") terminal.process.resize(change.size.cols, change.size.rows);
    if (change.title !== undefined) terminal.info = { ...terminal.info, title: change.title };
    this.publish(terminal.directory, "pty.updated", { info: terminal.info });
    return terminal.info;
  }

  remove(id: string): void {
    const terminal = this.terminal(id);
    this.terminals.delete(id);
    if (terminal.info.status === "running") terminal.process.kill();
    for (const listener of terminal.listeners) listener.closed();
    terminal.listeners.clear();
    this.publish(terminal.directory, "pty.deleted", { id });
  }

  /** A one-time ticket that lets a client (a browser cannot send auth headers on a WebSocket) connect. */
  connectToken(id: string): { ticket: string; expires_in: number } {
    this.terminal(id);
    const ticket = randomBytes(24).toString("base64url");
    this.tickets.set(ticket, { ptyID: id, expires: Date.now() + TICKET_SECONDS * 1000 });
    return { ticket, expires_in: TICKET_SECONDS };
  }

  /** Uses up a ticket; true when it was issued for this terminal and is still valid. */
  redeem(ticket: string, id: string): boolean {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return !!entry && entry.ptyID === id && entry.expires > Date.now();
  }

  exists(id: string): boolean {
    return this.terminals.has(id);
  }

  /** Connects a client: it gets the scrollback from `cursor` (an offset into it) on, then live output. */
  attach(id: string, listener: PtyListener, cursor = 0): { write(data: string): void; detach(): void } {
    const terminal = this.terminal(id);
    const backlog = terminal.scrollback.slice(Math.max(0, Math.min(cursor, terminal.scrollback.length)));
    if (backlog) listener.output(backlog);
    if (terminal.info.status === "exited") listener.closed();
    else terminal.listeners.add(listener);
    return {
      write: (data) => {
        if (terminal.info.status === "running") terminal.process.write(data);
      },
      detach: () => terminal.listeners.delete(listener),
    };
  }

  closeAll(): void {
    for (const terminal of this.terminals.values()) if (terminal.info.status === "running") terminal.process.kill();
    this.terminals.clear();
  }
}

// GET /pty/{id}/connect and /api/pty/{id}/connect as WebSockets, as upstream serves them: the
// terminal's retained output first (from ?cursor=, in chunks), then one binary frame of a 0 byte
// and {"cursor":N} (where the live output starts), then the output as it comes; what the client
// sends is typed into the terminal. ?cursor=-1 skips the replay.
//
// Who may connect: a client with a connect ticket (single use, for this terminal of this
// directory; it stands in for the password, as upstream) or one that passes the server's basic
// auth. Beyond upstream, a browser page from an origin the server does not allow is refused (403)
// either way, so no other site can open a shell through the user's browser.
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createRequire } from "node:module";
import type { RawData, WebSocketServer } from "ws";
import type { PtyService } from "../pty/pty-service.js";
import { isAuthorized, type Credentials } from "./auth.js";
import { isAllowedOrigin } from "./cors.js";
import { requestDirectory } from "./directory.js";

const CONNECT_PATH = /^(?:\/api)?\/pty\/([^/]+)\/connect$/;
export const TICKET_HEADER = "x-opencode-ticket";
const REPLAY_CHUNK = 64 * 1024;

/** Whether a browser page may open terminals: no Origin (not a browser), the server's own host, or an allowed origin. */
export function mayOpenTerminal(headers: IncomingHttpHeaders, corsOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (!origin) return true;
  try {
    if (headers.host && new URL(origin).host === headers.host) return true;
  } catch {
    return false;
  }
  return isAllowedOrigin(origin, corsOrigins);
}

/** The frame that tells a client where the live output starts: a 0 byte, then {"cursor":N}. */
export function cursorFrame(cursor: number): Buffer {
  return Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({ cursor }))]);
}

/** ?cursor= as upstream reads it: an integer from -1 up, anything else is no cursor (the whole replay). */
function parseCursor(value: string | null): number | undefined {
  if (value === null) return undefined;
  const cursor = Number(value);
  return value.trim() !== "" && Number.isSafeInteger(cursor) && cursor >= -1 ? cursor : undefined;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

export interface PtySocketOptions {
  projectDirectory: string;
  corsOrigins: readonly string[];
}

/**
 * ws (about 40 ms to load at start) is required on the first terminal connection: only a client
 * that opens a terminal needs it. Its CommonJS entry exports the same WebSocketServer as its ESM
 * wrapper, and require is synchronous, so the upgrade is handled in the same turn as before.
 */
function webSocketServer(): WebSocketServer {
  const { WebSocketServer: Server } = createRequire(import.meta.url)("ws") as typeof import("ws");
  return new Server({ noServer: true });
}

export function ptyUpgradeHandler(pty: PtyService, credentials: Credentials | undefined, options: PtySocketOptions) {
  let sockets: WebSocketServer | undefined;
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = CONNECT_PATH.exec(url.pathname);
    if (!match) return refuse(socket, 404, "Not Found");
    const id = decodeURIComponent(match[1]!);
    const params = url.searchParams;
    const location = params.get("location[directory]");
    const directory = requestDirectory(
      { directory: params.get("directory") ?? undefined, ...(location ? { location: { directory: location } } : {}) },
      req.headers["x-opencode-directory"],
      options.projectDirectory,
    );
    if (!mayOpenTerminal(req.headers, options.corsOrigins)) return refuse(socket, 403, "Forbidden");
    const ticket = params.get("ticket");
    if (ticket === null && !isAuthorized(credentials, req.headers.authorization, req.url ?? "/"))
      return refuse(socket, 401, "Unauthorized");
    if (!pty.isRunning(directory, id)) {
      if (ticket !== null) pty.redeem(ticket, directory, id); // used up all the same
      return refuse(socket, 404, "Not Found");
    }
    if (ticket !== null && !pty.redeem(ticket, directory, id)) return refuse(socket, 403, "Forbidden");
    const cursor = parseCursor(params.get("cursor"));
    (sockets ??= webSocketServer()).handleUpgrade(req, socket, head, (ws) => {
      let link: ReturnType<PtyService["attach"]>;
      try {
        link = pty.attach(directory, id, { output: (data) => ws.send(data), closed: () => ws.close(1000) }, cursor);
      } catch {
        ws.close(4404, "session not found"); // exited or removed in between
        return;
      }
      for (let i = 0; i < link.replay.length; i += REPLAY_CHUNK) ws.send(link.replay.slice(i, i + REPLAY_CHUNK));
      ws.send(cursorFrame(link.cursor), { binary: true });
      ws.on("message", (data) => link.write(text(data)));
      ws.on("close", () => link.detach());
    });
  };
}

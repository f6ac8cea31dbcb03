// GET /pty/{id}/connect and /api/pty/{id}/connect as WebSockets: the terminal's output goes to the
// client (its scrollback first, from ?cursor=), what the client sends is typed into it. Auth is the
// server's basic auth, or a ticket from pty.connectToken (browsers cannot send auth headers here).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { PtyService } from "../workspace/pty-service.js";
import { isAuthorized, type Credentials } from "./auth.js";

const CONNECT_PATH = /^(?:\/api)?\/pty\/(pty[^/]+)\/connect$/;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function ptyUpgradeHandler(pty: PtyService, credentials: Credentials | undefined) {
  const sockets = new WebSocketServer({ noServer: true });
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = CONNECT_PATH.exec(url.pathname);
    if (!match) return refuse(socket, 404, "Not Found");
    const id = match[1]!;
    const ticket = url.searchParams.get("ticket");
    const allowed = isAuthorized(credentials, req.headers.authorization, req.url ?? "/") || (ticket !== null && pty.redeem(ticket, id));
    if (!allowed) return refuse(socket, 401, "Unauthorized");
    if (!pty.exists(id)) return refuse(socket, 404, "Not Found");
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const link = pty.attach(
        id,
        { output: (data) => ws.send(data), closed: () => ws.close() },
        Number(url.searchParams.get("cursor") ?? 0) || 0,
      );
      ws.on("message", (data) => link.write(data.toString()));
      ws.on("close", () => link.detach());
    });
  };
}

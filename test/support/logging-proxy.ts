// An HTTP proxy on loopback in front of the server under test, recording every call a real
// client makes (method, URL, status), so a test can require that none of them failed. Event
// streams pass through unbuffered.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedCall {
  method: string;
  url: string;
  status: number;
}

export interface LoggingProxy {
  url: string;
  calls: ProxiedCall[];
  close(): Promise<void>;
}

export async function startLoggingProxy(target: string): Promise<LoggingProxy> {
  const calls: ProxiedCall[] = [];
  const server = http.createServer((req, res) => {
    const upstream = http.request(new URL(req.url ?? "/", target), { method: req.method, headers: req.headers }, (answer) => {
      calls.push({ method: req.method ?? "GET", url: req.url ?? "/", status: answer.statusCode ?? 0 });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on("error", () => {
      calls.push({ method: req.method ?? "GET", url: req.url ?? "/", status: 502 });
      res.destroy();
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

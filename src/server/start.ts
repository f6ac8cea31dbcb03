// Starting and stopping the HTTP server. Used by the CLI and by the tests alike.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type AppOptions } from "./app.js";
import { ptyUpgradeHandler } from "./pty-socket.js";

export interface RunningServer {
  url: string;
  port: number;
  services: Awaited<ReturnType<typeof createApp>>["services"];
  close(): Promise<void>;
}

export async function startServer(options: AppOptions): Promise<RunningServer> {
  const { listener, serverOptions, services } = await createApp(options);
  const finalised = await services.runs.finaliseInterruptedRuns();
  if (finalised) services.log.warn({ count: finalised }, "finalised runs interrupted by the previous stop");
  const server = http.createServer(serverOptions, listener);
  server.on("upgrade", ptyUpgradeHandler(services.pty, options.credentials, services.config));
  // Event streams stay open for hours; the defaults would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.config.port, options.config.hostname, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.config.hostname.includes(":") ? `[${options.config.hostname}]` : options.config.hostname;
  services.plugins.setServerUrl(`http://${host}:${port}`);
  return {
    url: `http://${host}:${port}`,
    port,
    services,
    close: () =>
      new Promise<void>((resolve) => {
        // Terminals first: their WebSocket connections are no longer the HTTP server's to close.
        services.pty.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      })
        // Runs end (aborted) and are finalised before the store closes.
        .then(() => services.runs.stopAll())
        .then(() => services.instances.disposeAll())
        .then(() => services.watchers.close())
        .then(() => services.lsp.close())
        .then(() => services.formatting.stop())
        .then(() => services.snapshots.close())
        // This node leaves the pool: its leases and requests go with it.
        .then(() => services.cluster.forgetNode(services.signals.nodeID).catch(() => undefined))
        .then(() => services.cluster.close())
        // The events published while stopping reach the pool's other nodes before the database closes.
        .then(() => services.pool.close())
        .then(() => services.store.close())
        .then(() => services.syncLog.close())
        .then(() => services.sessionLog.close()),
  };
}

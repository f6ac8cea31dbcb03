// The real upstream server (`opencode serve`, the pinned npm opencode-ai) on a free loopback port,
// in `cwd`, with an isolated home and the given config as OPENCODE_CONFIG_CONTENT.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { OPENCODE_BIN, isolatedClientEnv } from "./opencode-binary.js";

export interface UpstreamServer {
  url: string;
  /** What the server wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startUpstreamServer(cwd: string, config: unknown, timeoutMs = 45_000): Promise<UpstreamServer> {
  const port = await freePort();
  const env = isolatedClientEnv({ OPENCODE_CONFIG_CONTENT: JSON.stringify(config) });
  const child: ChildProcess = spawn(OPENCODE_BIN, ["serve", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d));
  child.stderr?.on("data", (d: Buffer) => (out += d));
  // A test worker that is ended (a hook's timeout) must not leave the server behind.
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  child.once("exit", () => process.off("exit", orphanGuard));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`opencode serve exited (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${url}/global/health`, { signal: AbortSignal.timeout(3_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, output: () => out, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`opencode serve did not answer /global/health within ${timeoutMs} ms:\n${out}`);
}

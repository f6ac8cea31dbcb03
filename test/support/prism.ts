// Prism (@stoplight/prism-cli) as a validating proxy in front of the server: an independent
// check of the contract. With --errors, a request that breaks the spec is answered 422 by
// Prism itself, and an answer that breaks it becomes a 500 problem+json naming the violations.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { freePort } from "../../src/net/free-port.js";

const PRISM_CLI = createRequire(import.meta.url).resolve("@stoplight/prism-cli/dist/index.js");

export interface PrismProxy {
  url: string;
  /** Everything Prism printed (its log names each violation). */
  output(): string;
  stop(): Promise<void>;
}

export async function startPrismProxy(specPath: string, upstream: string): Promise<PrismProxy> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [PRISM_CLI, "proxy", specPath, upstream, "--errors", "--port", String(port), "--host", "127.0.0.1"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start in 60 s:\n${output.slice(-2000)}`)), 60_000);
    const check = () => {
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

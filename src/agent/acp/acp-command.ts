// Before an external agent's process starts: is its program there? A missing program answers a
// clear error naming the command and what to install, instead of a spawn failure.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `program` would be found (a path as given, else on PATH), or undefined. */
export async function findProgram(program: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (program.includes("/") || program.includes(path.sep)) {
    const file = path.resolve(cwd, program);
    return (await executable(file)) ? file : undefined;
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, program);
    if (await executable(file)) return file;
  }
  return undefined;
}

export class AcpCommandMissing extends Error {}

/** Throws AcpCommandMissing when the agent's program is not installed. */
export async function assertInstalled(
  agent: { name: string; external: { command: string[]; env?: Record<string, string>; install?: string } },
  cwd: string,
): Promise<void> {
  const program = agent.external.command[0]!;
  const env = { ...process.env, ...agent.external.env };
  if (await findProgram(program, cwd, env)) return;
  const install = agent.external.install ? `; install it with: ${agent.external.install}` : "";
  throw new AcpCommandMissing(`ACP agent ${agent.name}: the command "${program}" is not installed (not found on PATH)${install}`);
}

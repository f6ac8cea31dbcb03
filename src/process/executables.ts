// Finding a program the way a shell would: an absolute or relative path as given, else the
// first match on PATH, plus the project's node_modules/.bin for tools installed per project.
import { accessSync, constants } from "node:fs";
import path from "node:path";

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findExecutable(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command.includes("/")) {
    const file = path.resolve(cwd, command);
    return isExecutable(file) ? file : undefined;
  }
  const folders = [path.join(cwd, "node_modules", ".bin"), ...(env.PATH ?? "").split(path.delimiter).filter(Boolean)];
  return folders.map((dir) => path.join(dir, command)).find(isExecutable);
}

// The built-in `scripted` provider: replies come from a script file instead of a model (no key,
// no network), the user's own (`options.script`) or the bundled demo.
import os from "node:os";
import path from "node:path";
import type { ProviderConfig } from "../../generated/schemas.js";
import { DEMO_SCRIPT_FILE } from "../agent/scripted/script.js";

export const SCRIPTED_PROVIDER = "scripted";
/** The package name the scripted provider's models carry (no npm package: it is built in). */
export const SCRIPTED_NPM = "agentpool:scripted";

/** The bundled demo script's model, offered while no key is known. */
export const DEMO_MODEL = { providerID: SCRIPTED_PROVIDER, modelID: "demo" };

/** The script a scripted provider plays: `options.script` (relative to the served directory), else the demo. */
export function scriptFileOf(options: ProviderConfig["options"] | undefined, directory: string): string {
  const file = options?.script;
  if (typeof file !== "string" || !file) return DEMO_SCRIPT_FILE;
  return path.resolve(directory, file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file);
}

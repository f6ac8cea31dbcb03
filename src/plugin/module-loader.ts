// Loading the user's extension files (custom tools, plugins) at run time in Node, as OpenCode loads
// them in Bun: TypeScript or JavaScript with `import`/`export`, through tsx's tsImport. Two things
// differ from a plain import, and a Node resolve hook (module.register) does both:
// - `@opencode-ai/plugin`, `@opencode-ai/sdk` and `zod`, which the user's project usually has not
//   installed, resolve to the server's own copies when nothing else provides them (zod to the copy the
//   plugin package uses, so `tool.schema` and `import { z } from "zod"` are one zod);
// - the user's own files load as ES modules even without `"type": "module"` (Bun does not care);
//   a JavaScript file without import/export stays CommonJS.
// Each load is a fresh module instance (tsx namespaces every tsImport), so a disposed directory's
// extensions load anew.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { createRequire, register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { definitionFolders } from "../agent/agents.js";

/** Marks the files loaded here (and what they import) in their URL's query. */
const MARKER = "agentpool-extension";

/** The packages an extension may import without installing them. */
const PROVIDED = ["@opencode-ai/plugin", "@opencode-ai/sdk", "zod"];

function anchors(): Record<string, string> {
  const plugin = packageDirectory("@opencode-ai/plugin", fileURLToPath(import.meta.url));
  if (!plugin) throw new Error("the server's @opencode-ai/plugin is missing (npm install)");
  // A file inside the plugin package: "zod" resolved from there is the plugin's zod.
  const anchor = pathToFileURL(path.join(plugin, "package.json")).href;
  return { "@opencode-ai/plugin": anchor, "@opencode-ai/sdk": anchor, zod: anchor };
}

/** The resolve hook, run in Node's loader thread; written as plain JavaScript for that reason. */
function hookSource(): string {
  return `
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const MARKER = ${JSON.stringify(MARKER)};
const ANCHORS = ${JSON.stringify(anchors())};
const PROVIDED = ${JSON.stringify(PROVIDED)};
const USER_CODE = /\\.(ts|tsx|mts|js|jsx|mjs)$/;
const providedName = (s) => PROVIDED.find((name) => s === name || s.startsWith(name + "/"));
const marked = (url) => typeof url === "string" && url.includes(MARKER);
export async function resolve(specifier, context, next) {
  const fromExtension = marked(specifier) || marked(context.parentURL);
  let result;
  try {
    result = await next(specifier, context);
  } catch (error) {
    const name = providedName(specifier);
    if (!name || error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    return next(specifier, { ...context, parentURL: ANCHORS[name] });
  }
  if (!fromExtension || !result.url.startsWith("file:") || result.url.includes("/node_modules/")) return result;
  const file = new URL(result.url);
  if (!USER_CODE.test(file.pathname)) return result;
  if (!file.search.includes(MARKER)) file.search = file.search ? file.search + "&" + MARKER : MARKER;
  // tsx's own formats: it keeps these as they are (and transforms TypeScript as an ES module).
  if (!/\\.(js|jsx)$/.test(file.pathname)) return { ...result, url: file.href, format: /\\.mjs$/.test(file.pathname) ? "module" : "module-typescript" };
  // JavaScript with import/export is an ES module whatever package.json says; CommonJS stays so.
  const esm = /^\\s*(import|export)\\b/m.test(readFileSync(fileURLToPath(file), "utf8"));
  return esm ? { ...result, url: file.href, format: "module" } : { ...result, url: file.href };
}
`;
}

let registered = false;

function ensureHook(): void {
  if (registered) return;
  register(`data:text/javascript,${encodeURIComponent(hookSource())}`);
  registered = true;
}

/** Imports a user's extension file (absolute path or file URL), TypeScript or JavaScript. */
export async function importExtension(file: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import("tsx/esm/api"); // tsx loads with the first extension, not at every start
  ensureHook();
  const url = file.startsWith("file:") ? new URL(file) : pathToFileURL(path.resolve(file));
  // tsx takes the specifier's query off before the hook sees it; the parent's stays.
  const parent = new URL(url.href);
  parent.search = MARKER;
  return (await tsImport(url.href, parent.href)) as Record<string, unknown>;
}

/** Where a package is installed as seen from `from` (a file): the node_modules folders up the tree. */
function packageDirectory(name: string, from: string): string | undefined {
  const folders = createRequire(from).resolve.paths(name) ?? [];
  return folders.map((folder) => path.join(folder, name)).find((dir) => existsSync(path.join(dir, "package.json")));
}

/**
 * An npm plugin package's entry, resolved from the project (its node_modules, up the tree) or else
 * from the server's own; undefined when neither has it (nothing is installed at run time).
 */
export function resolvePackage(name: string, directory: string): string | undefined {
  const dir = packageDirectory(name, path.join(directory, "package.json")) ?? packageDirectory(name, fileURLToPath(import.meta.url));
  return dir ? entryOf(dir) : undefined;
}

/** A package's ES module entry, from its manifest: exports "." (import, default), module, main. */
function entryOf(dir: string): string {
  const json = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { exports?: unknown; module?: string; main?: string };
  const pick = (entry: unknown): string | undefined => {
    if (typeof entry === "string") return entry;
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return undefined;
    const conditions = entry as Record<string, unknown>;
    if ("." in conditions) return pick(conditions["."]);
    return pick(conditions.import ?? conditions.node ?? conditions.default);
  };
  return path.join(dir, pick(json.exports) ?? json.module ?? json.main ?? "index.js");
}

/**
 * The folders of one kind of extension (`tool`, `plugin`, each also plural), in upstream's order:
 * the global config folder, the project's .opencode/ from the worktree root down, ~/.opencode/,
 * then $OPENCODE_CONFIG_DIR.
 */
export function extensionFolders(kind: string, directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = [path.join(env.HOME || os.homedir(), ".opencode"), ...(env.OPENCODE_CONFIG_DIR ? [env.OPENCODE_CONFIG_DIR] : [])];
  const folders = [
    ...definitionFolders(kind, directory, worktree, env),
    ...extra.flatMap((dir) => [path.join(dir, kind), path.join(dir, `${kind}s`)]),
  ];
  return [...new Set(folders)];
}

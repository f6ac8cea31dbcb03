// Loading the user's extension files (custom tools, plugins) at run time in Node, as OpenCode loads
// them in Bun: TypeScript or JavaScript with `import`/`export`, through tsx's tsImport. Two things
// differ from a plain import, and a Node resolve hook (module.register) does both:
// - `@opencode-ai/plugin`, `@opencode-ai/sdk` and `zod`, which the user's project usually has not
//   installed, resolve to the server's own copies when nothing else provides them (zod to the copy the
//   plugin package uses, so `tool.schema` and `import { z } from "zod"` are one zod);
// - the user's own files load as ES modules even without `"type": "module"` (Bun does not care).
// Each load is a fresh module instance (tsx namespaces every tsImport), so a disposed directory's
// extensions load anew.
import { createRequire, register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";

/** Marks the files loaded here (and what they import) in their URL's query. */
const MARKER = "agentpool-extension";

/** The packages an extension may import without installing them. */
const PROVIDED = ["@opencode-ai/plugin", "@opencode-ai/sdk", "zod"];

function anchors(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const plugin = require.resolve("@opencode-ai/plugin/package.json");
  return {
    "@opencode-ai/plugin": pathToFileURL(plugin).href,
    "@opencode-ai/sdk": pathToFileURL(plugin).href,
    // The plugin package's zod: the one `tool.schema` is.
    zod: pathToFileURL(plugin).href,
  };
}

/** The resolve hook, run in Node's loader thread; written as plain JavaScript for that reason. */
function hookSource(): string {
  return `
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
  return { ...result, url: file.href, format: "module" };
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
  ensureHook();
  const url = file.startsWith("file:") ? new URL(file) : pathToFileURL(path.resolve(file));
  url.search = url.search ? `${url.search}&${MARKER}` : MARKER;
  return (await tsImport(url.href, import.meta.url)) as Record<string, unknown>;
}

/**
 * An npm plugin package's entry, resolved from the project (its node_modules, up the tree) or else
 * from the server's own; undefined when neither has it (nothing is installed at run time).
 */
export function resolvePackage(name: string, directory: string): string | undefined {
  for (const from of [path.join(directory, "noop.js"), import.meta.url]) {
    try {
      return createRequire(from).resolve(name);
    } catch {
      // ESM-only packages have no "require" condition: look for their package.json instead.
      try {
        const manifest = createRequire(from).resolve(`${name}/package.json`);
        return esmEntry(manifest);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The entry of an ESM-only package, from its manifest (exports "." import, module, main). */
function esmEntry(manifest: string): string {
  const require = createRequire(import.meta.url);
  const json = require(manifest) as { exports?: unknown; module?: string; main?: string };
  const root =
    json.exports && typeof json.exports === "object" ? ((json.exports as Record<string, unknown>)["."] ?? json.exports) : json.exports;
  const pick = (entry: unknown): string | undefined => {
    if (typeof entry === "string") return entry;
    if (entry && typeof entry === "object") {
      const e = entry as Record<string, unknown>;
      return pick(e.import ?? e.default ?? e.node);
    }
    return undefined;
  };
  return path.join(path.dirname(manifest), pick(root) ?? json.module ?? json.main ?? "index.js");
}

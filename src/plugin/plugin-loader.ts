// Finding and starting a directory's plugins, as OpenCode 1.18.33 does: the `plugin` config key
// (npm package names, optionally `name@version` or `[spec, options]`, and `file://` or relative
// paths), then every `.ts`/`.js` file of the `plugin/` and `plugins/` folders (global config
// folder, the project's `.opencode/` from the worktree root down, ~/.opencode/, $OPENCODE_CONFIG_DIR). Each export of a module
// that is a function (or `{ server }` holding one) is a plugin, called once with the plugin input
// and its options; it answers its hooks. npm packages come from the project's node_modules or the
// server's own: nothing is installed at run time, a missing package is reported.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hooks, Plugin, PluginInput, PluginOptions } from "@opencode-ai/plugin";
import { extensionFolders, importExtension, resolvePackage } from "./module-loader.js";

export interface PluginSpec {
  /** As the user wrote it (config entry or file path): how failures name it. */
  spec: string;
  /** What to import: an absolute file, or undefined for a package that is not installed. */
  entry?: string;
  options?: PluginOptions;
}

/** A plugin that could not be used; `message` is what the user is told (upstream's wording). */
export interface PluginFailure {
  spec: string;
  message: string;
  error?: unknown;
  /** Upstream publishes import failures (session.error) and only logs a plugin function that throws. */
  reported: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name@version` without the version (a scope's leading `@` stays). */
function packageName(spec: string): string {
  const at = spec.lastIndexOf("@");
  return at > 0 ? spec.slice(0, at) : spec;
}

function isPath(spec: string): boolean {
  return spec.startsWith("file://") || spec.startsWith("./") || spec.startsWith("../") || path.isAbsolute(spec);
}

/** The config key's entries and the plugin folders' files, in upstream's order, each once. */
export async function pluginSpecs(
  configured: unknown[] | undefined,
  directory: string,
  worktree: string,
  env?: NodeJS.ProcessEnv,
): Promise<PluginSpec[]> {
  const specs: PluginSpec[] = [];
  for (const item of configured ?? []) {
    const [spec, options] = Array.isArray(item) ? (item as [unknown, PluginOptions | undefined]) : [item, undefined];
    if (typeof spec !== "string" || !spec) continue;
    // Upstream dropped this one: its work is built in.
    if (spec.includes("opencode-openai-codex-auth")) continue;
    const entry = isPath(spec)
      ? spec.startsWith("file://")
        ? fileURLToPath(spec)
        : path.resolve(directory, spec)
      : resolvePackage(packageName(spec), directory);
    specs.push({ spec, entry, ...(options ? { options } : {}) });
  }
  for (const folder of extensionFolders("plugin", directory, worktree, env)) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.sort())
      if (/\.(ts|js)$/.test(name) && !name.endsWith(".d.ts")) specs.push({ spec: path.join(folder, name), entry: path.join(folder, name) });
  }
  const seen = new Set<string>();
  return specs.filter((s) => {
    const key = s.entry ?? s.spec;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The plugin functions a module exports (a function twice exported counts once). */
export function pluginFunctions(mod: Record<string, unknown>): Plugin[] {
  const seen = new Set<unknown>();
  const plugins: Plugin[] = [];
  for (const value of Object.values(mod)) {
    if (seen.has(value)) continue;
    seen.add(value);
    const fn =
      typeof value === "function"
        ? value
        : value && typeof value === "object" && typeof (value as { server?: unknown }).server === "function"
          ? (value as { server: unknown }).server
          : undefined;
    if (!fn) throw new TypeError("Plugin export is not a function");
    plugins.push(fn as Plugin);
  }
  return plugins;
}

export interface LoadedPlugins {
  hooks: Hooks[];
  failures: PluginFailure[];
}

/** Imports and starts every plugin; one that fails is skipped and its failure returned. */
export async function loadPlugins(specs: PluginSpec[], input: PluginInput): Promise<LoadedPlugins> {
  const loaded: LoadedPlugins = { hooks: [], failures: [] };
  for (const { spec, entry, options } of specs) {
    if (!entry) {
      const name = packageName(spec);
      loaded.failures.push({
        spec,
        message: `Failed to load plugin ${spec}: the package ${name} is not installed (install it in the project: npm install ${name})`,
        reported: true,
      });
      continue;
    }
    let plugins: Plugin[];
    try {
      plugins = pluginFunctions(await importExtension(entry));
    } catch (error) {
      loaded.failures.push({ spec, message: `Failed to load plugin ${spec}: ${errorText(error)}`, error, reported: true });
      continue;
    }
    for (const plugin of plugins) {
      try {
        const hooks = await plugin(input, options);
        if (hooks && typeof hooks === "object") loaded.hooks.push(hooks);
      } catch (error) {
        loaded.failures.push({ spec, message: `Failed to start plugin ${spec}: ${errorText(error)}`, error, reported: false });
      }
    }
  }
  return loaded;
}

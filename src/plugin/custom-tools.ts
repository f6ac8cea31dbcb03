// The user's tools, as OpenCode 1.18.33 finds and runs them: every `.ts`/`.js` file in a `tool/` or
// `tools/` folder of the global config folder, the project's `.opencode/` folders (worktree root
// down to the directory), ~/.opencode/ and $OPENCODE_CONFIG_DIR, each export written with `tool()` of `@opencode-ai/plugin`; the
// default export is named after the file, any other `<file>_<export>`. Plugins' `tool` hooks give
// more (named by their key). The model sees the JSON Schema of the zod `args`; a call is checked
// against the same schema; the tool's answer (a string, or {title, output, metadata}) becomes the
// part's output, held to the common limit like every tool's (registry.ts).
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { JSONSchema7 } from "ai";
import { tool as pluginTool, type ToolContext as PluginToolContext, type ToolDefinition as PluginTool } from "@opencode-ai/plugin";
import { ToolError, type ToolDefinition } from "../tool/tool.js";
import { extensionFolders, importExtension } from "./module-loader.js";

/** The zod of `tool.schema`: the user's schemas are built with it. */
const z = pluginTool.schema;
type ZodType = InstanceType<typeof z.ZodType>;

/** Upstream's test: an object with description, args and execute. */
export function isPluginTool(value: unknown): value is PluginTool {
  return typeof value === "object" && value !== null && "args" in value && "description" in value && "execute" in value;
}

function isZod(value: unknown): value is ZodType {
  return typeof value === "object" && value !== null && "_zod" in value;
}

/** Descriptions and meta of every schema inside `schema`, so JSON Schema keeps them whatever zod built them. */
function metadataOf(schema: ZodType) {
  const registry = z.registry<Record<string, unknown>>();
  const seen = new WeakSet<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (isZod(value)) {
      const meta = typeof value.meta === "function" ? (value.meta() as Record<string, unknown> | undefined) : undefined;
      const entry = { ...(meta ?? {}), ...(value.description ? { description: value.description } : {}) };
      if (Object.keys(entry).length) registry.add(value, entry);
      visit(value._zod.def);
      return;
    }
    for (const inner of Object.values(value)) visit(inner);
  };
  visit(schema);
  return registry;
}

/** The JSON Schema of the args: zod's (the model's input side), `$defs` as `definitions` as upstream sends them. */
function jsonSchemaOf(args: Record<string, unknown>): { parameters: JSONSchema7; schema?: ZodType } {
  const entries = Object.entries(args);
  if (!entries.every(([, value]) => isZod(value))) {
    // Upstream still takes plain JSON Schema properties, all required, unchecked.
    const properties = Object.fromEntries(entries.filter(([, value]) => typeof value === "object" && value !== null));
    return { parameters: { type: "object", properties: properties as JSONSchema7["properties"], required: Object.keys(properties) } };
  }
  const schema = z.object(args as Record<string, ZodType>);
  const json = z.toJSONSchema(schema, { io: "input", metadata: metadataOf(schema) }) as Record<string, unknown>;
  const { $defs, ...rest } = json;
  return { parameters: ($defs ? { ...rest, definitions: $defs } : rest) as JSONSchema7, schema };
}

/** Upstream's wording for arguments the schema refuses. */
function invalidArguments(id: string, error: unknown): string {
  return `The ${id} tool was called with invalid arguments: ${String(error)}.\nPlease rewrite the input so it satisfies the expected schema.`;
}

/** A `tool()` definition as one of ours. */
export function fromPluginTool(id: string, definition: PluginTool): ToolDefinition<Record<string, unknown>> {
  const { parameters, schema } = jsonSchemaOf((definition.args ?? {}) as Record<string, unknown>);
  return {
    id,
    description: definition.description,
    parameters,
    async execute(args, ctx) {
      let input: Record<string, unknown> = args;
      if (schema) {
        const parsed = schema.safeParse(args);
        if (!parsed.success) throw new ToolError(invalidArguments(id, parsed.error));
        input = parsed.data as Record<string, unknown>;
      }
      const context: PluginToolContext = {
        sessionID: ctx.sessionID,
        messageID: ctx.messageID,
        agent: ctx.agent,
        directory: ctx.directory,
        worktree: ctx.worktree,
        abort: ctx.signal,
        metadata: (update) => ctx.progress(update),
        ask: (request) => ctx.ask(request),
      };
      const result = await definition.execute(input as never, context);
      if (typeof result === "string") return { title: "", output: result, metadata: {} };
      return { title: result.title ?? "", output: result.output, metadata: result.metadata ?? {} };
    },
  };
}

/** The files of the tool folders, in upstream's order (global first, then the project from its root down). */
async function toolFiles(directory: string, worktree: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const files: string[] = [];
  for (const folder of extensionFolders("tool", directory, worktree, env)) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.sort()) if (/\.(ts|js)$/.test(name) && !name.endsWith(".d.ts")) files.push(path.join(folder, name));
  }
  return files;
}

export interface LoadedTools {
  tools: ToolDefinition<Record<string, unknown>>[];
  failures: { file: string; error: unknown }[];
}

/** Loads every custom tool file of a directory; a file that fails is reported, the others load. */
export async function loadCustomTools(directory: string, worktree: string, env?: NodeJS.ProcessEnv): Promise<LoadedTools> {
  const loaded: LoadedTools = { tools: [], failures: [] };
  for (const file of await toolFiles(directory, worktree, env)) {
    try {
      const namespace = path.basename(file, path.extname(file));
      const mod = await importExtension(file);
      for (const [name, value] of Object.entries(mod)) {
        if (isPluginTool(value)) loaded.tools.push(fromPluginTool(name === "default" ? namespace : `${namespace}_${name}`, value));
      }
    } catch (error) {
      loaded.failures.push({ file, error });
    }
  }
  return loaded;
}

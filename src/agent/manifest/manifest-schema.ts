// Validation of AgentPool manifests against AgentPool's own JSON Schema (pinned as data in
// spec/agentpool/config-schema.json). Each entry is checked against the definition its `type`
// (and, for ACP agents, `provider`) picks, so an error names the entry and the key at fault
// instead of every branch of the schema's unions.
import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../../package-root.js";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

const SCHEMA_FILE = path.join(PACKAGE_ROOT, "spec", "agentpool", "config-schema.json");

interface Schema {
  properties: Record<string, unknown>;
  $defs: Record<string, { properties?: Record<string, { const?: string }> }>;
}

let loaded: { ajv: Ajv; schema: Schema; validators: Map<string, ValidateFunction> } | undefined;

function schemaState() {
  if (!loaded) {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Schema;
    // The schema carries OpenAPI-style `discriminator`s and doc keywords ajv does not know: not strict.
    // Every error, each with its schema and data (each branch of a union reports its own errors;
    // `relevant` keeps those of the branch the value's tag picks).
    const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: false, inlineRefs: false, code: { optimize: false } });
    ajv.addSchema(schema, "agentpool");
    loaded = { ajv, schema, validators: new Map() };
  }
  return loaded;
}

function validator(ref: string): ValidateFunction {
  const state = schemaState();
  let validate = state.validators.get(ref);
  if (!validate) {
    validate = state.ajv.getSchema(`agentpool#${ref}`);
    if (!validate) throw new Error(`AgentPool schema has no ${ref}`);
    state.validators.set(ref, validate);
  }
  return validate;
}

/** The agent types the schema knows (`type`), and the ACP providers it knows (`provider`). */
export const AGENT_TYPES = ["native", "acp", "agui", "claude_code"];
const TYPE_DEFS: Record<string, string> = { native: "NativeAgentConfig", agui: "AGUIAgentConfig", claude_code: "ClaudeCodeAgentConfig" };

/** The ACP providers of the schema, by their `provider` value (read from the definitions). */
export function acpProviders(): Map<string, string> {
  const { schema } = schemaState();
  const providers = new Map<string, string>();
  for (const [name, def] of Object.entries(schema.$defs)) {
    const provider = def.properties?.provider?.const;
    if (/ACPAgentConfig$/.test(name) && provider && def.properties?.type?.const === "acp") providers.set(provider, name);
  }
  return providers;
}

function dotted(instancePath: string): string {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((piece) => (/^\d+$/.test(piece) ? `[${piece}]` : `.${piece}`))
    .join("");
}

/** What is wrong, and where below the checked entry (dotted, "" for the entry itself). */
export interface Problem {
  at: string;
  what: string;
}

const TAGS = ["type", "provider", "builtin_type"];
const GENERIC = new Set(["type", "anyOf", "oneOf", "if", "then", "else"]);

/** Whether an error comes from a union branch whose tag (`type`, `provider`, ...) the value does not have. */
function otherBranch(error: ErrorObject): boolean {
  const tag = error.instancePath.split("/").at(-1)!;
  if (error.keyword === "const" && TAGS.includes(tag)) return true;
  if (error.keyword !== "required" && error.keyword !== "additionalProperties") return false;
  const properties = (error.parentSchema as { properties?: Record<string, { const?: unknown }> } | undefined)?.properties;
  const data = error.data as Record<string, unknown> | undefined;
  return TAGS.some((name) => properties?.[name]?.const !== undefined && data?.[name] !== undefined && data[name] !== properties[name]!.const);
}

/** The errors of the union branches the value picked (all of them when that leaves none). */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((error) => !otherBranch(error));
  return kept.length ? kept : errors;
}

function list(values: unknown[]): string {
  const shown = [...new Set(values)].map((v) => JSON.stringify(v));
  return shown.length > 12 ? `${shown.slice(0, 12).join(", ")}, ...` : shown.join(", ");
}

/** One ajv error as a sentence: the deepest specific error of the branch the value picked. */
function describe(errors: ErrorObject[]): Problem {
  const rank = (e: ErrorObject) => e.instancePath.split("/").length * 2 + (GENERIC.has(e.keyword) ? 0 : 1);
  const error = relevant(errors).sort((a, b) => rank(b) - rank(a))[0]!;
  const at = dotted(error.instancePath);
  const params = error.params as Record<string, unknown>;
  let what = error.message ?? "is invalid";
  if (error.keyword === "additionalProperties") what = `unknown key "${String(params.additionalProperty)}"`;
  else if (error.keyword === "required") what = `missing required key "${String(params.missingProperty)}"`;
  else if (error.keyword === "const") what = `must be ${JSON.stringify(params.allowedValue)}`;
  else if (error.keyword === "enum") what = `must be one of ${list(params.allowedValues as unknown[])}`;
  else if (GENERIC.has(error.keyword)) {
    // A union none of whose branches fits: name the tag it has and the ones it could have.
    const data = error.data as Record<string, unknown> | null;
    const tag = TAGS.find((name) => typeof data?.[name] === "string");
    const allowed = errors.filter((e) => e.keyword === "const" && e.instancePath === `${error.instancePath}/${tag}`);
    if (tag && allowed.length) what = `unknown ${tag} ${JSON.stringify(data![tag])}; one of ${list(allowed.map((e) => e.params.allowedValue))}`;
  }
  return { at: at.slice(1), what };
}

function check(ref: string, value: unknown): Problem | undefined {
  const validate = validator(ref);
  return validate(value) ? undefined : describe(validate.errors ?? []);
}

/** Checks one `agents` entry; answers the problem (naming the key at fault) or nothing. */
export function checkAgentEntry(entry: unknown): Problem | undefined {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return { at: "", what: "must be a mapping of agent settings" };
  const { type = "native", provider = "custom" } = entry as { type?: unknown; provider?: unknown };
  if (typeof type !== "string" || !AGENT_TYPES.includes(type))
    return { at: "type", what: `unknown agent type ${JSON.stringify(type)}; AgentPool knows ${AGENT_TYPES.join(", ")}` };
  if (type === "acp") {
    const def = typeof provider === "string" ? acpProviders().get(provider) : undefined;
    if (!def)
      return { at: "provider", what: `unknown ACP provider ${JSON.stringify(provider)}; AgentPool knows ${[...acpProviders().keys()].sort().join(", ")}` };
    return check(`/$defs/${def}`, entry);
  }
  return check(`/$defs/${TYPE_DEFS[type]}`, entry);
}

export function checkTeamEntry(entry: unknown): Problem | undefined {
  return check("/$defs/TeamConfig", entry);
}

/** A top-level section other than agents and teams (file_agents, storage, ...). */
/** "agents.writer.model: must be ..." */
export function problemText(base: string, problem: Problem): string {
  return `${[base, problem.at].filter(Boolean).join(".")}: ${problem.what}`;
}

export function checkSection(key: string, value: unknown): Problem | undefined {
  if (!(key in schemaState().schema.properties)) return { at: "", what: `unknown top-level key "${key}"` };
  return check(`/properties/${key}`, value);
}

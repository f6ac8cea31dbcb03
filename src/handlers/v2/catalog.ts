// What the v2 catalog routes read: a directory's agents, providers (with their models), known
// integrations, commands, skills and references.
import type { Config } from "../../../generated/schemas.js";
import { loadAgents } from "../../agent/agents.js";
import { SCRIPTED_PROVIDER } from "../../provider/scripted-provider.js";
import { listCommands } from "../../command/commands.js";
import { publishForDirectory } from "../../bus/instance-events.js";
import type { RequestContext } from "../../server/context.js";
import { loadSkills } from "../../skill/skills.js";

export async function configOf(ctx: RequestContext): Promise<Config> {
  return ctx.services.configs.forDirectory(ctx.directory);
}

export async function agentsOf(ctx: RequestContext) {
  const project = await ctx.services.projects.locate(ctx.directory);
  return loadAgents(await configOf(ctx), ctx.directory, project.worktree);
}

export async function skillsOf(ctx: RequestContext) {
  const project = await ctx.services.projects.locate(ctx.directory);
  return loadSkills(ctx.directory, project.worktree);
}

/** The commands a directory offers: built-in, configured and markdown ones, and its MCP servers' prompts. */
export async function commandsOf(ctx: RequestContext) {
  return [...(await listCommands(await configOf(ctx), ctx.directory)), ...(await ctx.services.mcp.commands(ctx.directory))];
}

export async function catalogOf(ctx: RequestContext) {
  return ctx.services.models.providers(await configOf(ctx));
}

/** Every provider a key can be given for: the catalogue's and the configured ones. */
export async function integrationProviders(ctx: RequestContext): Promise<{ id: string; name: string; env: string[] }[]> {
  const catalog = await catalogOf(ctx);
  const byID = new Map(catalog.all.map((p) => [p.id, { id: p.id, name: p.name, env: p.env }]));
  byID.delete(SCRIPTED_PROVIDER); // a script takes no key
  return [...byID.values()];
}

/** The directories whose catalogue was announced, per server (its bus). */
const announced = new WeakMap<object, Set<string>>();

/**
 * Upstream's v2 catalogue (agents, commands, skills, providers, references, integrations) is
 * built on a directory's first /api request, and the clients are told its lists are there in
 * this order (the TUI refreshes them on these events). Ours is read on demand: the events go
 * out once per directory, at the same moment, before that first answer.
 */
export async function announceCatalogue(ctx: RequestContext): Promise<void> {
  let directories = announced.get(ctx.services.bus);
  if (!directories) announced.set(ctx.services.bus, (directories = new Set()));
  if (directories.has(ctx.directory)) return;
  directories.add(ctx.directory);
  for (const type of ["catalog.updated", "reference.updated", "integration.updated", "catalog.updated"] as const)
    await publishForDirectory(ctx.services, ctx.directory, type, {});
}

// Handlers of the overlay tag "legacy": routes of the Python SDK opencode-ai 0.1.0a36 that upstream
// no longer serves (spec/overlays/python-sdk-legacy.json).
import os from "node:os";
import type { HandlerMap } from "../../generated/handlers.js";
import { loadAgents } from "../agent/agents.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { describePaths } from "../project/paths.js";

export const legacyHandlers = {
  "legacy.app.get": async (_input, ctx) => {
    const project = await ctx.services.projects.forDirectory(ctx.directory);
    const paths = describePaths(ctx.directory);
    return {
      hostname: os.hostname(),
      git: project.vcs === "git",
      path: { config: paths.config, data: ctx.services.config.dataDirectory, root: paths.worktree, cwd: ctx.directory, state: paths.state },
      time: project.time.initialized ? { initialized: project.time.initialized } : {},
    };
  },
  "legacy.app.init": async (_input, ctx) => {
    await ctx.services.projects.markInitialized(ctx.directory);
    return true;
  },
  // Modes became agents: the old API's modes are the agents a user can pick as the main one.
  "legacy.app.modes": async (_input, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    const project = await ctx.services.projects.locate(ctx.directory);
    const agents = await loadAgents(config, ctx.directory, project.worktree);
    return agents
      .filter((agent) => agent.mode !== "subagent" && !agent.hidden && !agent.disable)
      .map((agent) => ({
        name: agent.name,
        tools: agent.tools ?? {},
        ...(agent.model ? { model: { modelID: agent.model.modelID, providerID: agent.model.providerID } } : {}),
        ...(agent.prompt ? { prompt: agent.prompt } : {}),
        ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
      }));
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;

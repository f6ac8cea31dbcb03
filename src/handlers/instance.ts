// Handlers of the spec tag "instance".
import type { HandlerMap } from "../../generated/handlers.js";
import { loadAgents, toAgentInfo } from "../agent/agents.js";
import { listCommands } from "../command/commands.js";
import { findWorktree } from "../workspace/worktree.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { describePaths } from "../workspace/paths.js";
import { skillsOf } from "../v2/catalog.js";

export const instanceHandlers = {
  "path.get": (_input, ctx) => describePaths(ctx.directory),
  "app.agents": async (_input, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    return (await loadAgents(config, ctx.directory, findWorktree(ctx.directory))).map(toAgentInfo);
  },
  "command.list": async (_input, ctx) => listCommands(await ctx.services.configs.forDirectory(ctx.directory), ctx.directory),
  "app.skills": (_input, ctx) => skillsOf(ctx),
} satisfies HandlerMap<RequestContext, HandlerReply>;

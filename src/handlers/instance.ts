// Handlers of the spec tag "instance".
import type { HandlerMap } from "../../generated/handlers.js";
import { loadAgents, toAgentInfo } from "../agent/agents.js";
import { listCommands } from "../command/commands.js";
import { findWorktree } from "../workspace/worktree.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { describePaths } from "../workspace/paths.js";
import { disposeInstance } from "../server/instance-lifecycle.js";
import { formatterStatus } from "../workspace/formatters.js";

export const instanceHandlers = {
  "path.get": (_input, ctx) => describePaths(ctx.directory),
  "app.agents": async (_input, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    return (await loadAgents(config, ctx.directory, findWorktree(ctx.directory))).map(toAgentInfo);
  },
  "command.list": async (_input, ctx) => listCommands(await ctx.services.configs.forDirectory(ctx.directory), ctx.directory),
  "instance.dispose": async (_input, ctx) => {
    await disposeInstance(ctx.services, ctx.directory);
    return true;
  },
  "lsp.status": (_input, ctx) => ctx.services.lsp.status(ctx.directory),
  "formatter.status": async (_input, ctx) => formatterStatus(await ctx.services.configs.forDirectory(ctx.directory), ctx.directory),
} satisfies HandlerMap<RequestContext, HandlerReply>;

// The handler table: every real handler, keyed by operationId. Operations missing here answer
// the generated 501 stub. ENDPOINTS.md is generated from this table.
import type { HandlerTable } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { configHandlers } from "./config.js";
import { controlHandlers } from "./control.js";
import { eventHandlers } from "./event.js";
import { globalHandlers } from "./global.js";
import { instanceHandlers } from "./instance.js";
import { legacyHandlers } from "./legacy.js";
import { fileHandlers } from "./file.js";
import { mcpHandlers } from "./mcp.js";
import { ptyHandlers } from "./pty.js";
import { ptyV2Handlers } from "./v2/pty.js";
import { sessionsHandlers } from "./v2/sessions.js";
import { eventsHandlers } from "./v2/events.js";
import { messagesHandlers } from "./v2/messages.js";
import { permissionsHandlers } from "./v2/permissions.js";
import { sessionQuestionsHandlers } from "./v2/session-questions.js";
import { opencodeHttpApiHandlers } from "./v2/opencode-httpapi.js";
import { integrationsHandlers } from "./v2/integrations.js";
import { modelsHandlers } from "./v2/models.js";
import { providersHandlers } from "./v2/providers.js";
import { referenceHandlers } from "./v2/reference.js";
import { skillsHandlers } from "./v2/skills.js";
import { commandsHandlers } from "./v2/commands.js";
import { filesystemHandlers } from "./v2/filesystem.js";
import { permissionHandlers } from "./permission.js";
import { projectHandlers } from "./project.js";
import { questionHandlers } from "./question.js";
import { providerHandlers } from "./provider.js";
import { sessionHandlers } from "./session.js";
import { tuiHandlers } from "./tui.js";
import { experimentalHandlers } from "./experimental.js";
import { workspaceHandlers } from "./workspace.js";
import { controlPlaneHandlers } from "./controlplane.js";
import { syncHandlers } from "./sync.js";
import { projectCopyHandlers } from "./projectcopy.js";
import { projectCopyV2Handlers } from "./v2/projectcopy.js";

export const handlers: HandlerTable<RequestContext, HandlerReply> = {
  ...globalHandlers,
  ...configHandlers,
  ...controlHandlers,
  ...eventHandlers,
  ...instanceHandlers,
  ...permissionHandlers,
  ...projectHandlers,
  ...questionHandlers,
  ...providerHandlers,
  ...sessionHandlers,
  ...legacyHandlers,
  ...fileHandlers,
  ...mcpHandlers,
  ...ptyHandlers,
  ...ptyV2Handlers,
  ...sessionsHandlers,
  ...eventsHandlers,
  ...messagesHandlers,
  ...permissionsHandlers,
  ...sessionQuestionsHandlers,
  ...opencodeHttpApiHandlers,
  ...integrationsHandlers,
  ...modelsHandlers,
  ...providersHandlers,
  ...referenceHandlers,
  ...skillsHandlers,
  ...commandsHandlers,
  ...filesystemHandlers,
  ...tuiHandlers,
  ...experimentalHandlers,
  ...workspaceHandlers,
  ...controlPlaneHandlers,
  ...syncHandlers,
  ...projectCopyHandlers,
  ...projectCopyV2Handlers,
};

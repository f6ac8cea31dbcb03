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
import { sessionsHandlers } from "./sessions.js";
import { eventsHandlers } from "./events.js";
import { messagesHandlers } from "./messages.js";
import { permissionsHandlers } from "./permissions.js";
import { sessionQuestionsHandlers } from "./session-questions.js";
import { opencodeHttpApiHandlers } from "./opencode-httpapi.js";
import { integrationsHandlers } from "./integrations.js";
import { modelsHandlers } from "./models.js";
import { providersHandlers } from "./providers.js";
import { referenceHandlers } from "./reference.js";
import { skillsHandlers } from "./skills.js";
import { commandsHandlers } from "./commands.js";
import { filesystemHandlers } from "./filesystem.js";
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
};

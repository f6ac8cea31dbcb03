// What a tool call of a turn (or an external agent's request) works with: its progress on the
// tool part, the session's permission rules and questions, its todos, and sub-agent tasks.
import type { PermissionRuleset, Session, UserMessage } from "../../generated/schemas.js";
import type { PermissionService } from "../permission/permission-service.js";
import type { ProjectLocation } from "../project/projects.js";
import type { QuestionService } from "../question/question-service.js";
import type { ToolContext } from "../tool/tool.js";
import type { SessionDeps } from "./session-deps.js";
import type { TurnRecorder } from "./turn-recorder.js";

export interface ToolContextDeps extends Pick<SessionDeps, "store" | "events"> {
  permissions: Pick<PermissionService, "ask">;
  questions: Pick<QuestionService, "ask">;
}

export interface TurnOfTool {
  session: Session;
  user: UserMessage;
  recorder: TurnRecorder;
  project: ProjectLocation;
  rules: PermissionRuleset;
  /** Runs a sub-agent's task for a tool of this turn. */
  subtask: ToolContext["subtask"];
}

export function toolContext(deps: ToolContextDeps, turn: TurnOfTool, callID: string | undefined, signal: AbortSignal): ToolContext {
  const { session, user, recorder, project, rules } = turn;
  const { store, events, permissions, questions } = deps;
  // What the tool publishes or reports waits until its part is running; a permission request
  // does not (upstream asks while the part is still pending).
  const running = callID ? recorder.whenRunning(callID) : Promise.resolve();
  const afterRunning = (work: () => Promise<unknown>) => void running.then(work).catch(() => undefined);
  const tool = callID ? { messageID: recorder.current.id, callID } : undefined;
  // A permission or question the tool asks comes before its part shows "running", as upstream
  // shows it: the recorder holds "running" until the request is published (or decided unasked).
  const askingFirst = <T>(ask: (onAsked: () => void) => Promise<T>): Promise<T> => {
    let asked: () => void = () => {};
    if (callID) recorder.asking(callID, new Promise<void>((resolve) => (asked = resolve)));
    return ask(() => asked()).finally(() => asked());
  };
  return {
    sessionID: session.id,
    messageID: recorder.current.id,
    callID: callID ?? "",
    agent: user.agent,
    directory: session.directory,
    worktree: project.worktree,
    signal,
    progress: (update) => {
      if (callID) afterRunning(() => recorder.record({ type: "tool-progress", callID, ...update }));
    },
    onAbort: (result) => {
      if (callID) recorder.setAbortResult(callID, result);
    },
    publish: (type, properties) => afterRunning(() => events.publish(session, type, properties)),
    ask: (request) =>
      askingFirst((onAsked) =>
        permissions.ask({ ...request, sessionID: session.id, projectID: project.id, ...(tool ? { tool } : {}), rules, signal, onAsked }),
      ),
    question: (list) =>
      askingFirst((onAsked) => questions.ask(session.id, list, tool ?? { messageID: recorder.current.id, callID: "" }, signal, onAsked)),
    todos: { get: () => store.getTodos(session.id), set: (todos) => store.putTodos(session.id, todos) },
    subtask: turn.subtask,
  };
}

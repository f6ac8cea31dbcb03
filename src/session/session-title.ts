// The session's title: upstream names a root session after its first real prompt with the small
// model, in parallel with the reply, and only while the session still has its default title.
import { askShortText } from "../agent/llm/short-text.js";
import type { Config, Session, UserMessage } from "../../generated/schemas.js";
import { toModelMessages } from "../agent/llm/history.js";
import type { ModelResolver } from "../agent/llm/model-resolver.js";
import { titleOf, titleRequest } from "../agent/llm/system-prompt.js";
import type { MessageWithParts } from "../storage/store.js";
import type { SessionDeps } from "./session-deps.js";
import type { Logger } from "pino";

/** The title a session gets at creation ("New session - <ISO date>", "Child session - <ISO date>"). */
function isDefaultTitle(title: string): boolean {
  return /^(New session|Child session) - \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(title);
}

/** Upstream titles a root session whose title is still the default one, after its first real prompt. */
export function needsTitle(session: Session, history: MessageWithParts[]): boolean {
  const real = history.filter((m) => m.info.role === "user" && !m.parts.every((p) => p.type === "text" && p.synthetic));
  return !session.parentID && isDefaultTitle(session.title) && real.length === 1;
}

/** Asks the small model for the title and stores it, unless the client set one meanwhile. Never throws. */
export async function generateTitle(
  deps: Pick<SessionDeps, "sessions"> & { log: Logger; models: ModelResolver },
  session: Session,
  history: MessageWithParts[],
  config: Config,
): Promise<void> {
  const user = history.find((m) => m.info.role === "user")?.info as UserMessage | undefined;
  const ref = deps.models.small(config, user?.model ?? deps.models.fallback(config));
  if (!ref) return;
  try {
    const model = deps.models.resolve(config, ref, session.directory);
    const { model: _language, ...request } = titleRequest(toModelMessages(history), model);
    const reply = await askShortText(model, { ...request, headers: { "x-session-id": session.id, "x-session-affinity": session.id } });
    const title = titleOf(reply);
    // A title the client set meanwhile stays.
    if (!title || !isDefaultTitle((await deps.sessions.get(session.id)).title)) return;
    await deps.sessions.mutate(session.id, (current) => (isDefaultTitle(current.title) ? { ...current, title } : current));
  } catch (error) {
    deps.log.warn({ err: error, sessionID: session.id }, "title generation failed");
  }
}

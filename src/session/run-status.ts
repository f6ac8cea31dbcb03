// A run's status, kept for /session/status and announced as session.status on the session's stream.
import type { Session, SessionStatus } from "../../generated/schemas.js";
import type { SessionDeps } from "./session-deps.js";

export async function publishStatus(deps: Pick<SessionDeps, "runs" | "events">, session: Session, status: SessionStatus): Promise<void> {
  deps.runs.setStatus(session.id, status);
  await deps.events.publish(session, "session.status", { sessionID: session.id, status });
}

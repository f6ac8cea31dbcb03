// Compile-time checks, run by `tsc --noEmit` in `npm test`: publishing an event the spec's Event
// union does not declare, or with properties it does not declare, fails to compile. Each
// `@ts-expect-error` line must stay an error (tsc fails if it compiles).
import { EventBus } from "../../src/bus/event-bus.js";
import type { SessionEvents } from "../../src/session/session-events.js";
import type { Session } from "../../generated/schemas.js";

declare const bus: EventBus;
declare const events: SessionEvents;
declare const session: Session;
const scope = { directory: "/project" };

export function declaredEvents(): void {
  bus.publish(scope, "session.idle", { sessionID: "ses_1" });
  void events.publish(session, "session.status", { sessionID: "ses_1", status: { type: "busy" } });
}

export function undeclaredEvents(): void {
  // @ts-expect-error a typo in the event's name
  bus.publish(scope, "session.idel", { sessionID: "ses_1" });
  // @ts-expect-error a property the event does not declare
  bus.publish(scope, "session.idle", { sessionID: "ses_1", extra: true });
  // @ts-expect-error a property of the wrong type
  bus.publish(scope, "session.idle", { sessionID: 1 });
  // @ts-expect-error a required property missing
  void events.publish(session, "session.status", { sessionID: "ses_1" });
  // @ts-expect-error a status the spec does not declare
  void events.publish(session, "session.status", { sessionID: "ses_1", status: { type: "sleeping" } });
}

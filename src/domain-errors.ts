// Errors the domain throws about what was asked of it: something that does not exist, a request
// that cannot be carried out, a session that is busy. They carry no status and no wire shape; the
// HTTP layer answers each in the shape the operation's API generation declares
// (src/server/domain-errors.ts), so a v2 route never needs to look a session up first.

/** The things a request can name, as upstream's messages call them and the id field its error bodies use. */
export const NAMED_THINGS = {
  Session: { label: "Session", idField: "sessionID" },
  Message: { label: "Message", idField: "messageID" },
  Part: { label: "Part", idField: "partID" },
  Permission: { label: "Permission request", idField: "requestID" },
  Question: { label: "Question request", idField: "requestID" },
  Project: { label: "Project", idField: "projectID" },
  McpServer: { label: "MCP server", idField: "name" },
  Workspace: { label: "Workspace", idField: "workspaceID" },
  Pty: { label: "PTY session", idField: "ptyID" },
} as const;

/** Something the request names does not exist. */
export class NotFoundError extends Error {
  constructor(
    /** What kind of thing (its v2 tag is `<kind>NotFoundError`). */
    readonly kind: keyof typeof NAMED_THINGS,
    readonly id: string,
    /** The session it belongs to, where the thing is inside one. */
    readonly sessionID?: string,
  ) {
    super(`${NAMED_THINGS[kind].label} not found: ${id}`);
  }
}

/** The request is well formed but cannot be carried out as asked (an unknown agent, command, ...). */
export class InvalidRequestError extends Error {
  constructor(
    message: string,
    /** The request field at fault, where one is. */
    readonly field?: string,
    /** The part of the request at fault: its body, or its query (a path that escapes the project). */
    readonly source: "Payload" | "Query" = "Payload",
  ) {
    super(message);
  }
}

/** What a named failure is about, which decides its status: the request, a refusal, or the server's own state (a broken config file). */
export type NamedErrorCause = "request" | "forbidden" | "server";

/**
 * A failure upstream reports under its own error name (WorktreeError, ProjectCopyError,
 * WorkspaceWarpError, ConfigInvalidError, ...), answered `{name, data: {message, ...data}}`.
 */
export class NamedError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    /** Fields the answer's data carries besides the message. */
    readonly data: Record<string, unknown> = {},
    readonly cause: NamedErrorCause = "request",
  ) {
    super(message);
  }
}

/** The session is running and cannot take this now. */
export class SessionBusyError extends Error {
  constructor(readonly sessionID: string) {
    super(`Session is busy: ${sessionID}`);
  }
}

// What a handler gets besides its validated input: the request's directory, the shared services,
// and the raw request and response for the few operations that stream.
import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { Services } from "../app/service-types.js";
import type { PreSerialized } from "../contract/pre-serialized.js";

export interface RequestContext {
  req: Request;
  res: Response;
  /** Absolute directory this request is about (?directory=, x-opencode-directory, or the default). */
  directory: string;
  /** For wildcard routes (/api/fs/read/*): the part of the path the `*` matched. */
  wildcard: string | undefined;
  services: Services;
  log: Logger;
}

/** An answer a handler shaped itself: another status than the spec's success status, or headers. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Returned by a handler that has written the response itself (SSE, raw bytes). */
export const STREAMED = Symbol("streamed");
/** Also: an answer joined from pre-serialized pieces, checked by the dispatcher (contract/pre-serialized.ts). */
export type HandlerReply = Reply | typeof STREAMED | PreSerialized;

// From an HTTP request to a handler and back: route and validate with openapi-backend, run the
// handler (or the generated 501 stub), and check the answer against the spec before it leaves.
import type { NextFunction, Request, Response } from "express";
import type { ErrorObject } from "ajv";
import { operationsById, type OperationId } from "../../generated/operations.js";
import { stubs } from "../../generated/stubs.js";
import type { HandlerInput, HandlerMap } from "../../generated/handlers.js";
import { Reply, STREAMED, type HandlerReply, type RequestContext } from "./context.js";
import type { Services } from "../app/service-types.js";
import { requestDirectory } from "./directory.js";
import { HttpError, type BadRequestKind, notFound, rejectedRequest, unknownError } from "./errors.js";
import { domainErrorAnswer } from "./domain-errors.js";
import type { Backend, Operation } from "./openapi.js";
import { declaredQueryKeys, parseQuery, pick, wildcardRoutes, type WildcardRoute } from "./routing.js";
import { SUCCESS_ALTERNATIVES, loadServedSpec, type OpenApiDocument } from "../contract/served-spec.js";
import { PreSerialized, materialize } from "../contract/pre-serialized.js";
import { PreSerializedAnswers, ValidAnswerTexts, sendJson } from "./json-answer.js";
import { describeValidationError, primaryError, requestErrorKind, summarizeErrors } from "../contract/validation.js";

type Handlers = HandlerMap<RequestContext, HandlerReply>;
type AnyHandler = (input: HandlerInput<OperationId>, ctx: RequestContext) => unknown;

export type OperationObserver = (operationId: string, status: number) => void;

/** Query keys the server itself consumes; they are no operation's parameters. */
const SERVER_QUERY_KEYS = new Set(["auth_token"]);

function successAlternatives(doc: OpenApiDocument): Record<string, Record<string, string[]>> {
  type Ref = { $ref: string };
  const declared = (doc[SUCCESS_ALTERNATIVES] ?? {}) as Record<string, Record<string, Ref | Ref[]>>;
  return Object.fromEntries(
    Object.entries(declared).map(([operationId, byStatus]) => [
      operationId,
      Object.fromEntries(
        Object.entries(byStatus).map(([status, refs]) => [status, [refs].flat().map((ref) => ref.$ref.split("/").pop()!)]),
      ),
    ]),
  );
}

/** The operations whose declared 400 is Effect's bare `{_tag: "BadRequest"}` (as the document names it). */
function bareBadRequestOperations(doc: OpenApiDocument): Set<string> {
  const found = new Set<string>();
  for (const methods of Object.values(doc.paths ?? {}))
    for (const operation of Object.values(methods as Record<string, { operationId?: string; responses?: Record<string, unknown> }>))
      if (operation.operationId && JSON.stringify(operation.responses?.["400"] ?? "").includes("effect_HttpApiError_BadRequest"))
        found.add(operation.operationId);
  return found;
}

export class Dispatcher {
  private readonly wildcards: WildcardRoute[];
  /** Operations whose declared 400 is Effect's bare {_tag: "BadRequest"}. */
  private readonly bareBadRequest: Set<string>;
  /** operationId -> status -> names of the overlay schemas that are also accepted. */
  private readonly successAlternatives: Record<string, Record<string, string[]>>;
  private readonly preSerialized: PreSerializedAnswers;
  private readonly validTexts = new ValidAnswerTexts();

  constructor(
    private readonly api: Backend,
    private readonly handlers: Handlers,
    private readonly services: Services,
    private readonly observe: OperationObserver = () => {},
  ) {
    this.wildcards = wildcardRoutes(api.getOperations());
    const served = loadServedSpec();
    // With validation switched off (the benchmark's comparison only), pieces pass unchecked too.
    const validating = (api as { validate?: unknown }).validate !== false;
    this.preSerialized = new PreSerializedAnswers(served, validating ? (name, value) => services.schemas.check(name, value) : () => null);
    this.successAlternatives = successAlternatives(served);
    this.bareBadRequest = bareBadRequestOperations(served);
    const registered: Record<string, (...args: never[]) => unknown> = {
      validationFail: (
        c: { operation: Operation; validation: { errors: ErrorObject[] }; request: { requestBody?: unknown } },
        ctx: RequestContext,
      ) => this.rejectRequest(c, ctx),
      notFound: (_c: unknown, ctx: RequestContext) =>
        this.sendError(ctx, undefined, notFound(`No route for ${ctx.req.method} ${ctx.req.path}`)),
      methodNotAllowed: (_c: unknown, ctx: RequestContext) =>
        this.sendError(ctx, undefined, notFound(`No route for ${ctx.req.method} ${ctx.req.path}`)),
    };
    for (const op of api.getOperations()) {
      registered[op.operationId!] = (
        c: { request: { params: Record<string, unknown>; query: Record<string, unknown>; requestBody?: unknown } },
        ctx: RequestContext,
      ) => this.runOperation(op.operationId as OperationId, c.request, ctx);
    }
    api.register(registered as never);
  }

  /** Express middleware: every request that reaches it is an API call. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    this.dispatch(req, res).catch(next);
  };

  private async dispatch(req: Request, res: Response): Promise<void> {
    const fullQuery = parseQuery(req.originalUrl);
    for (const key of SERVER_QUERY_KEYS) delete fullQuery[key];
    const path = req.path;
    let wildcard: { w: WildcardRoute; m: RegExpExecArray } | undefined;
    for (const w of this.wildcards) {
      const m = w.pattern.exec(path);
      if (m) {
        wildcard = { w, m };
        break;
      }
    }
    const routePath = wildcard ? wildcard.w.template : path;
    const matched = this.api.router.matchOperation({ method: req.method, path: routePath, headers: {} } as never, false) as
      Operation | undefined;
    // Unknown query keys are ignored, as upstream ignores them; only declared ones are validated.
    const query = matched ? pick(fullQuery, declaredQueryKeys(matched)) : fullQuery;
    const jsonBody = matched ? operationsById.get(matched.operationId!)?.jsonBody : false;
    const ctx: RequestContext = {
      req,
      res,
      directory: requestDirectory(fullQuery, req.headers["x-opencode-directory"], this.services.config.projectDirectory),
      wildcard: wildcard?.m?.[1],
      services: this.services,
      log: this.services.log,
    };
    // Changes on disk in the projects clients ask about are published (file.watcher.updated).
    this.services.watchers.ensure(ctx.directory);
    // A directory's plugins start with its first request, as upstream's start with the instance.
    this.services.plugins.ensure(ctx.directory);
    await this.api.handleRequest(
      {
        method: req.method,
        path: routePath,
        query: query as never,
        headers: req.headers as never,
        // An absent body is validated as {}, so a missing required key is reported by name.
        body: req.body ?? (jsonBody ? {} : undefined),
      },
      ctx,
    );
  }

  private async runOperation(
    operationId: OperationId,
    request: { params: Record<string, unknown>; query: Record<string, unknown>; requestBody?: unknown },
    ctx: RequestContext,
  ): Promise<void> {
    const handler = this.handlers[operationId] as AnyHandler | undefined;
    if (!handler) {
      const stub = stubs[operationId]();
      this.sendChecked(ctx, operationId, stub.status, stub.body);
      return;
    }
    let result: unknown;
    try {
      const input = { operationId, params: request.params, query: request.query, body: request.requestBody } as HandlerInput<OperationId>;
      result = await handler(input, ctx);
    } catch (error) {
      this.sendError(ctx, operationId, error);
      return;
    }
    if (result === STREAMED) {
      this.observe(operationId, ctx.res.statusCode);
      return;
    }
    if (result instanceof PreSerialized) {
      const status = operationsById.get(operationId)!.successStatus;
      const text = this.preSerialized.text(operationId, status, result);
      // Not sent as it is: parsed, for the same check and error report as any answer.
      if (text === undefined) this.sendChecked(ctx, operationId, status, materialize(result.shape, result.value));
      else {
        this.observe(operationId, status);
        sendJson(ctx, status, text);
      }
      return;
    }
    if (result instanceof Reply) {
      for (const [name, value] of Object.entries(result.headers)) ctx.res.setHeader(name, value);
      this.sendChecked(ctx, operationId, result.status, result.body);
      return;
    }
    const row = operationsById.get(operationId)!;
    this.sendChecked(ctx, operationId, row.successStatus, row.successKind === "json" ? result : undefined);
  }

  private rejectRequest(
    c: {
      operation: Operation;
      validation: { errors: ErrorObject[] };
      request: { requestBody?: unknown; params?: unknown; query?: unknown; headers?: unknown };
    },
    ctx: RequestContext,
  ): void {
    const error = primaryError(c.validation.errors);
    const kind = requestErrorKind(error);
    // openapi-backend validates {requestBody} and {path, query, header} objects: drop that first segment.
    const { requestBody, params, query, headers } = c.request;
    const root = kind === "Payload" ? { requestBody } : { path: params, query, header: headers };
    const message = describeValidationError(error, root, error.instancePath ? 1 : 0);
    // Upstream decodes ids (their prefix pattern) apart from the rest of the schema: an id that
    // breaks it gets the bare tag, every other schema error the named BadRequest with its reason.
    const answer = this.rejection(c.operation.operationId, message, kind, error.keyword !== "pattern");
    this.sendError(ctx, c.operation.operationId, answer);
  }

  /**
   * A refused request in the shape upstream answers it (see rejectedRequest): the bare tag where
   * the operation declares it, unless `named` (a schema error upstream describes in the body).
   */
  rejection(operationId: string | undefined, message: string, kind: BadRequestKind, named = false): HttpError {
    return rejectedRequest(message, kind, !named && operationId !== undefined && this.bareBadRequest.has(operationId));
  }

  /** The operation a request is for, if any (for answers given before routing: a malformed body). */
  operationOf(req: Request): string | undefined {
    const wildcard = this.wildcards.find((w) => w.pattern.test(req.path));
    const path = wildcard ? wildcard.template : req.path;
    const matched = this.api.router.matchOperation({ method: req.method, path, headers: {} } as never, false) as Operation | undefined;
    return matched?.operationId;
  }

  sendError(ctx: RequestContext, operationId: string | undefined, thrown: unknown): void {
    const error = domainErrorAnswer(thrown, operationId) ?? thrown;
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) ctx.res.setHeader(name, value);
      if (error.status === 400) ctx.log.info({ operationId, url: ctx.req.originalUrl, reason: error.message }, "request refused");
      this.sendChecked(ctx, operationId, error.status, error.body);
      return;
    }
    const { ref, error: reply } = unknownError();
    ctx.log.error({ err: error, ref, operationId, method: ctx.req.method, url: ctx.req.originalUrl }, "unexpected error");
    this.sendChecked(ctx, operationId, reply.status, reply.body);
  }

  /** Errors of an answer (and its JSON text) against the spec, or null. */
  private responseErrors(operationId: string | undefined, status: number, body: unknown, text: string | undefined): string[] | null {
    const { schemas } = this.services;
    const operation = operationId ? this.api.router.getOperation(operationId) : undefined;
    const declared = operation?.responses?.[String(status)] as { content?: Record<string, unknown> } | undefined;
    if (declared && !declared.content) return body === undefined ? null : [`${status} must have no body`];
    if (declared?.content?.["application/json"] && operationId) {
      if (text !== undefined && this.validTexts.known(operationId, status, text)) return null;
      const result = this.api.validateResponse(body, operationId, status);
      if (!result.errors) {
        if (text !== undefined) this.validTexts.remember(operationId, status, text);
        return null;
      }
      // A second shape upstream really sends for this operation (spec/overlays: x-agentpool-success-alternatives).
      const alternatives = this.successAlternatives[operationId]?.[String(status)] ?? [];
      if (alternatives.some((alternative) => !schemas.check(alternative, body))) return null;
      // Upstream answers schema violations with BadRequestError even where only {_tag} errors are declared.
      if (status === 400 && !schemas.check("BadRequestError", body)) return null;
      return summarizeErrors(result.errors, body);
    }
    if (declared) return null; // non-JSON content (streams, raw bytes): written by the handler itself
    const errors = status === 501 ? schemas.check("NotImplementedError", body) : schemas.check("ServerError", body);
    return errors ? summarizeErrors(errors, body) : null;
  }

  private sendChecked(ctx: RequestContext, operationId: string | undefined, status: number, body: unknown): void {
    const { res, log } = ctx;
    let text = body === undefined ? undefined : JSON.stringify(body);
    const errors = this.responseErrors(operationId, status, body, text);
    if (errors) {
      const message = `${operationId ?? ctx.req.path} answered ${status} with a body that breaks the spec`;
      if (this.services.config.contractMode === "fail") {
        log.error({ operationId, status, errors, body }, message);
        body = { name: "ResponseValidationError", data: { message, operationId, status, errors } };
        text = JSON.stringify(body);
        status = 500;
      } else {
        log.warn({ operationId, status, errors }, message);
      }
    }
    if (operationId) this.observe(operationId, status);
    if (text === undefined) {
      res.status(status).end();
      return;
    }
    sendJson(ctx, status, text);
  }
}

// The generator's pure parts: schema identifiers, operation rows, overlay merging.
import { describe, expect, it } from "vitest";
import { listSpecOperations, loadUpstreamSpec, mergeOverlays, type OpenApiDocument } from "../../src/contract/served-spec.js";
import { handlerModuleOf, schemaIdentifiers, successResponse } from "../../scripts/lib/codegen.js";
import { schemaIdentifiers as generatedIdentifiers, SCHEMA_COUNT } from "../../generated/schemas.js";

const upstream = loadUpstreamSpec();

describe("schema identifiers", () => {
  const names = Object.keys(upstream.components.schemas);
  const ids = schemaIdentifiers(names);

  it("gives each of the 472 upstream schemas its own identifier", () => {
    expect(names).toHaveLength(472);
    expect(new Set(ids.values()).size).toBe(472);
    for (const id of ids.values()) expect(id).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
  });

  it("keeps both schemas of each of the 7 colliding pairs, under distinct names", () => {
    const pairs = [
      ["SessionStatus", "session.status", "session_status"],
      ["QuestionReplied", "question.replied", "question_replied"],
      ["QuestionRejected", "question.rejected", "question_rejected"],
      ["EventTuiPromptAppend", "Event.tui.prompt.append", "Event_tui_prompt_append"],
      ["EventTuiCommandExecute", "Event.tui.command.execute", "Event_tui_command_execute"],
      ["EventTuiToastShow", "Event.tui.toast.show", "Event_tui_toast_show"],
      ["EventTuiSessionSelect", "Event.tui.session.select", "Event_tui_session_select"],
    ];
    for (const [plain, dotted, renamed] of pairs) {
      expect(ids.get(plain!)).toBe(plain);
      expect(ids.get(dotted!)).toBe(renamed);
      // The two schemas really differ: a naive generator would have lost one.
      expect(upstream.components.schemas[plain!]).not.toEqual(upstream.components.schemas[dotted!]);
    }
  });

  it("PascalCases names that are not identifiers when no other schema holds that name", () => {
    expect(ids.get("Models-devRefreshed")).toBe("ModelsDevRefreshed");
    expect(ids.get("EventInstallationUpdate-available")).toBe("EventInstallationUpdateAvailable");
  });

  it("is what generated/schemas.ts holds", () => {
    expect(SCHEMA_COUNT).toBeGreaterThanOrEqual(472);
    expect(generatedIdentifiers["session.status"]).toBe("session_status");
    expect(generatedIdentifiers.SessionStatus).toBe("SessionStatus");
  });
});

describe("operation rows", () => {
  const ops = listSpecOperations(upstream);
  const byId = (id: string) => ops.find((o) => o.operationId === id)!;

  it("lists the 188 upstream operations with unique ids", () => {
    expect(ops).toHaveLength(188);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(188);
  });

  it("knows how each operation answers success", () => {
    expect(successResponse(byId("global.health"))).toEqual({ status: 200, kind: "json", contentType: "application/json" });
    expect(successResponse(byId("event.subscribe"))).toEqual({ status: 200, kind: "sse", contentType: "text/event-stream" });
    expect(successResponse(byId("session.prompt_async"))).toEqual({ status: 204, kind: "empty", contentType: null });
    expect(successResponse(byId("v2.fs.read"))).toEqual({ status: 200, kind: "raw", contentType: "application/octet-stream" });
  });

  it("names the handler module of a tag", () => {
    expect(handlerModuleOf("opencode HttpApi")).toBe("opencode-httpapi");
    expect(handlerModuleOf("session questions")).toBe("session-questions");
    expect(handlerModuleOf("projectCopy")).toBe("projectcopy");
    expect(handlerModuleOf("projectCopy", "v2.projectCopy.create")).toBe("v2/projectcopy");
  });
});

describe("overlays", () => {
  const overlay = (doc: Partial<OpenApiDocument>) => ({
    name: "test.json",
    doc: { openapi: "3.1.0", info: {}, paths: {}, components: { schemas: {} }, ...doc } as OpenApiDocument,
  });

  it("adds paths and schemas, marking where they came from", () => {
    const merged = mergeOverlays(upstream, [
      overlay({
        paths: { "/app": { get: { operationId: "app.get", tags: ["legacy"], responses: { 200: { description: "ok" } } } } },
        components: { schemas: { Extra: { type: "string" } } },
      }),
    ]);
    const op = listSpecOperations(merged).find((o) => o.operationId === "app.get")!;
    expect(op.source).toBe("test.json");
    expect(merged.components.schemas.Extra).toEqual({ type: "string" });
    expect(upstream.paths["/app"]).toBeUndefined();
  });

  it("resolves x-agentpool-extends: the upstream schema plus the overlay's keys", () => {
    const merged = mergeOverlays(upstream, [
      overlay({
        components: {
          schemas: {
            WithFlag: { "x-agentpool-extends": "FileNode", properties: { flag: { type: "boolean" } }, required: ["flag"] },
          },
        },
      }),
    ]);
    const schema = merged.components.schemas.WithFlag as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(["name", "path", "absolute", "type", "ignored", "flag"]);
    expect(schema.required).toEqual(["name", "path", "absolute", "type", "ignored", "flag"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema).not.toHaveProperty("x-agentpool-extends");
  });

  it("lists the success alternatives several overlays give for one operation", () => {
    const alt = (name: string) => ({
      "x-agentpool-success-alternatives": { "session.prompt": { 200: { $ref: `#/components/schemas/${name}` } } },
    });
    const merged = mergeOverlays(upstream, [overlay(alt("A") as never), overlay(alt("B") as never)]);
    expect((merged as Record<string, any>)["x-agentpool-success-alternatives"]["session.prompt"]["200"]).toEqual([
      { $ref: "#/components/schemas/A" },
      { $ref: "#/components/schemas/B" },
    ]);
  });

  it("refuses to override an upstream operation or schema", () => {
    expect(() => mergeOverlays(upstream, [overlay({ paths: { "/global/health": { get: {} } } })])).toThrow(
      "GET /global/health already exists",
    );
    expect(() => mergeOverlays(upstream, [overlay({ components: { schemas: { Session: {} } } })])).toThrow("schema Session already exists");
  });
});

// An independent contract check: the implemented operations driven through a Prism proxy that
// validates every request and answer against the upstream document. Any violation fails.
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPSTREAM_SPEC_PATH } from "../../src/contract/served-spec.js";
import { startLlmProject, type LlmProject } from "../support/llm-project.js";
import { startPrismProxy, type PrismProxy } from "../support/prism.js";
import { startTestServer } from "../support/server.js";

let project: LlmProject;
let prism: PrismProxy;

beforeAll(async () => {
  project = await startLlmProject("contract");
  prism = await startPrismProxy(UPSTREAM_SPEC_PATH, project.server.url);
});
afterAll(async () => {
  await prism?.stop();
  await project.server.close();
  await project.llm.stop();
});

/** Unwraps an SDK result; an error here is a violation Prism reported, or a failed call. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }, name: string): T {
  expect(result.error, `${name}: ${JSON.stringify(result.error)}`).toBeUndefined();
  expect(result.response.status, name).toBeLessThan(300);
  return result.data as T;
}

describe("through Prism", () => {
  it("every implemented operation of a session's life passes the independent validator", async () => {
    const sdk = sdkV2({ baseUrl: prism.url, directory: project.repo.dir });
    ok(await sdk.global.health(), "global.health");
    ok(await sdk.path.get(), "path.get");
    ok(await sdk.project.current(), "project.current");
    ok(await sdk.project.list(), "project.list");
    ok(await sdk.config.get(), "config.get");
    ok(await sdk.config.providers(), "config.providers");
    ok(await sdk.provider.list(), "provider.list");
    ok(await sdk.app.agents(), "app.agents");
    ok(await sdk.command.list(), "command.list");
    ok(await sdk.permission.list(), "permission.list");
    ok(await sdk.question.list(), "question.list");

    const session = ok(await sdk.session.create({ title: "through prism" }), "session.create") as { id: string };
    const sessionID = session.id;
    ok(await sdk.session.list(), "session.list");
    ok(await sdk.session.get({ sessionID }), "session.get");
    ok(await sdk.session.update({ sessionID, title: "renamed" }), "session.update");
    const reply = ok(await sdk.session.prompt({ sessionID, parts: [{ type: "text", text: "use bash" }] }), "session.prompt") as {
      info: { id: string };
    };
    const messages = ok(await sdk.session.messages({ sessionID }), "session.messages") as {
      info: { id: string };
      parts: { id: string; messageID: string; type: string }[];
    }[];
    expect(messages.length).toBe(3);
    ok(await sdk.session.message({ sessionID, messageID: reply.info.id }), "session.message");
    ok(await sdk.session.status(), "session.status");
    ok(await sdk.session.todo({ sessionID }), "session.todo");
    ok(await sdk.session.diff({ sessionID }), "session.diff");
    ok(await sdk.session.children({ sessionID }), "session.children");
    ok(await sdk.session.shell({ sessionID, agent: "build", command: "echo through-prism" }), "session.shell");
    ok(await sdk.session.command({ sessionID, command: "init", arguments: "" }), "session.command");
    ok(await sdk.session.summarize({ sessionID, providerID: "fake", modelID: "m" }), "session.summarize");
    const part = messages[0]!.parts[0]!;
    ok(
      await sdk.part.update({ sessionID, messageID: part.messageID, partID: part.id, part: { ...part, text: "edited" } as never }),
      "part.update",
    );
    const fork = ok(await sdk.session.fork({ sessionID }), "session.fork") as { id: string };
    ok(await sdk.session.revert({ sessionID, messageID: messages[0]!.info.id }), "session.revert");
    ok(await sdk.session.unrevert({ sessionID }), "session.unrevert");
    ok(await sdk.session.deleteMessage({ sessionID, messageID: reply.info.id }), "session.deleteMessage");
    ok(await sdk.session.abort({ sessionID }), "session.abort");
    ok(await sdk.session.delete({ sessionID: fork.id }), "session.delete");
    expect(prism.output()).not.toMatch(/violation/i);
  });

  it("rejects a request that breaks the spec before it reaches the server", async () => {
    const res = await fetch(`${prism.url}/find`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { validation: { message: string }[] }).validation[0]!.message).toMatch(/pattern/);
  });

  it("reports an answer that breaks the spec", async () => {
    // A server that only logs violations (production mode), with a handler that answers wrongly.
    const broken = await startTestServer({ contractMode: "warn", handlers: { "global.health": () => ({ healthy: "yes" }) as never } });
    const proxy = await startPrismProxy(UPSTREAM_SPEC_PATH, broken.url);
    try {
      const res = await fetch(`${proxy.url}/global/health`);
      expect(res.status).toBe(500);
      const body = (await res.json()) as { type: string; validation: { message: string }[] };
      expect(body.type).toMatch(/VIOLATIONS/);
      expect(JSON.stringify(body.validation)).toMatch(/healthy/);
    } finally {
      await proxy.stop();
      await broken.close();
    }
  });
});

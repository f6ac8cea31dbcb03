// Instance control: a client's log line in the server log, instance and global dispose (upstream's
// events, and a configuration change on disk seen afterwards), the upgrade refusal, and the
// status of configured language servers and formatters (test/platform/after-edit.test.ts starts them).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstanceScope } from "../../src/instance/instance-scope.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type Frame = { type: string; properties: Record<string, unknown> };

let server: TestServer;
let project: string;

function readReference(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), "utf8"));
}

beforeAll(async () => {
  project = makeTempDir("instance");
  const tools = makeTempDir("instance-tools");
  writeFileSync(path.join(tools, "fmt.cjs"), "");
  writeFileSync(
    path.join(project, "opencode.json"),
    JSON.stringify({
      username: "before",
      lsp: {
        fake: { command: [process.execPath, path.join(tools, "fake-lsp.cjs")], extensions: [".ts"] },
        broken: { command: [path.join(tools, "no-such-server")], extensions: [".py"] },
        off: { disabled: true },
      },
      formatter: {
        mine: { command: [process.execPath, path.join(tools, "fmt.cjs"), "$FILE"], extensions: [".txt"] },
        ghost: { command: ["no-such-formatter-here"], extensions: [".ghost"] },
      },
    }),
  );
  server = await startTestServer({ projectDirectory: project });
});
afterAll(() => server.close());

describe("app.log", () => {
  it("writes the client's line to the server log with its service, level and extra keys", async () => {
    const res = await server.fetch(
      "/log",
      jsonInit("POST", { service: "my-plugin", level: "warn", message: "disk nearly full", extra: { free: 12 } }),
    );
    expect(await res.json()).toBe(true);
    const line = server.logLines().find((l) => l.service === "my-plugin");
    expect(line).toMatchObject({ service: "my-plugin", msg: "disk nearly full", free: 12, level: 40 });
  });

  it("rejects an unknown level and writes nothing", async () => {
    const res = await server.fetch("/log", jsonInit("POST", { service: "bad-level", level: "loud", message: "x" }));
    expect(res.status).toBe(400);
    expect(server.logLines().some((l) => l.service === "bad-level")).toBe(false);
  });
});

describe("instance.dispose", () => {
  it("sends upstream's events in upstream's order and re-reads the configuration afterwards", async () => {
    expect(((await (await server.fetch("/config")).json()) as { username: string }).username).toBe("before");
    const config = JSON.parse(readFileSync(path.join(project, "opencode.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(path.join(project, "opencode.json"), JSON.stringify({ ...config, username: "after" }));
    // Still the loaded instance: the change on disk is not seen yet.
    expect(((await (await server.fetch("/config")).json()) as { username: string }).username).toBe("before");

    const events = await openEventReader(`${server.url}/event`, "event");
    await events.next();
    const res = await server.fetch("/instance/dispose", { method: "POST" });
    expect(await res.json()).toBe(true);
    const disposed = await events.next<Frame>((f) => f.type === "server.instance.disposed");
    expect(disposed.properties).toEqual({ directory: project });
    const reference = readFileSync(new URL("../fixtures/reference/events-instance-dispose.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { ev: Frame }).ev.type);
    expect((events.frames as Frame[]).slice(1).map((f) => f.type)).toEqual(reference);
    events.close();

    expect(((await (await server.fetch("/config")).json()) as { username: string }).username).toBe("after");
  });
});

describe("the instance scope", () => {
  it("disposing a directory ends its terminals and leaves another directory's alone", async () => {
    const other = makeTempDir("instance-pty-other");
    const at = (directory: string) => `directory=${encodeURIComponent(directory)}`;
    const open = async (directory: string) => {
      const res = await server.fetch(`/pty?${at(directory)}`, jsonInit("POST", { command: "/bin/sh", args: [], title: "t" }));
      expect(res.status).toBe(200);
      return ((await res.json()) as { id: string }).id;
    };
    const listed = async (directory: string) =>
      ((await (await server.fetch(`/api/pty?${at(directory)}`)).json()) as { data: { id: string }[] }).data.map((p) => p.id);
    const mine = await open(project);
    const theirs = await open(other);
    expect(await listed(project)).toContain(mine);

    expect(await (await server.fetch(`/instance/dispose?${at(project)}`, { method: "POST" })).json()).toBe(true);
    expect(await listed(project)).toEqual([]);
    expect(await listed(other)).toEqual([theirs]);
    await server.fetch(`/pty/${theirs}?${at(other)}`, { method: "DELETE" });
  });

  it("one holder failing to let go does not keep the others", async () => {
    const released: string[] = [];
    const warned: unknown[] = [];
    const scope = new InstanceScope(
      {
        first: { forget: (d) => void released.push(`first ${d}`), closeAll: () => void released.push("first all") },
        broken: {
          forget: () => Promise.reject(new Error("stuck")),
          closeAll: () => {
            throw new Error("stuck");
          },
        },
        last: { forget: (d) => void released.push(`last ${d}`), closeAll: () => void released.push("last all") },
      },
      { warn: (entry: unknown) => void warned.push(entry) },
    );
    await scope.dispose("/a");
    await scope.disposeAll();
    expect(released).toEqual(["first /a", "last /a", "first all", "last all"]);
    expect(warned).toHaveLength(2);
  });
});

describe("global.dispose", () => {
  it("disposes every loaded instance and then announces global.disposed", async () => {
    const other = makeTempDir("instance-other");
    await server.fetch(`/config?directory=${encodeURIComponent(other)}`);
    const global = await openEventReader(`${server.url}/global/event`, "global");
    await global.next();
    expect(await (await server.fetch("/global/dispose", { method: "POST" })).json()).toBe(true);
    const done = await global.next<{ directory?: string; payload: Frame }>((f) => f.payload.type === "global.disposed");
    expect(done.directory).toBe("global");
    const disposed = (global.frames as { directory?: string; payload: Frame }[])
      .filter((f) => f.payload.type === "server.instance.disposed")
      .map((f) => f.payload.properties.directory);
    expect(disposed).toEqual(expect.arrayContaining([project, other]));
    global.close();
  });
});

describe("global.upgrade", () => {
  it("refuses with a 400 that says why", async () => {
    const res = await server.fetch("/global/upgrade", jsonInit("POST", { target: "1.2.3" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "BadRequest", data: { message: expect.stringMatching(/not an installed opencode/) } });
  });
});

describe("lsp.status and formatter.status", () => {
  it("answers [] like upstream when nothing is configured", async () => {
    const bare = makeTempDir("bare");
    const q = `?directory=${encodeURIComponent(bare)}`;
    expect(await (await server.fetch(`/lsp${q}`)).json()).toEqual((readReference("get_lsp.json") as { body: unknown }).body);
    expect(await (await server.fetch(`/formatter${q}`)).json()).toEqual((readReference("get_formatter.json") as { body: unknown }).body);
  });

  it("lists no language server before a file it handles is touched, like upstream", async () => {
    expect(await (await server.fetch("/lsp")).json()).toEqual([]);
  });

  it("lists the built-in formatters in upstream's order, then the configured ones, enabled as upstream judges", async () => {
    const status = (await (await server.fetch("/formatter")).json()) as { name: string; extensions: string[]; enabled: boolean }[];
    // What the real opencode 1.18.33 listed for the same configuration.
    expect(status.map((f) => f.name)).toEqual([
      ...["zig", "uv", "terraform", "standardrb", "shfmt", "rustfmt", "ruff", "rubocop", "air", "prettier", "pint", "oxfmt", "ormolu"],
      ...["ocamlformat", "nixfmt", "mix", "latexindent", "ktlint", "htmlbeautifier", "gofmt", "gleam", "dfmt", "dart", "cljfmt"],
      ...["clang-format", "biome", "mine", "ghost"],
    ]);
    // A configured formatter counts as enabled unless disabled, even when its program is missing (upstream does the same).
    expect(status.slice(-2)).toEqual([
      { name: "mine", extensions: [".txt"], enabled: true },
      { name: "ghost", extensions: [".ghost"], enabled: true },
    ]);
    expect(status.find((f) => f.name === "gofmt")).toMatchObject({ extensions: [".go"] });
  });
});

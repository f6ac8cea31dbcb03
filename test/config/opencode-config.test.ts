// OpenCode configuration as OpenCode reads it: global, project and nested files, JSONC,
// {env:} and {file:} substitutions, OPENCODE_CONFIG_CONTENT; GET /config, /global/config and
// /config/providers.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { referenceConfig } from "../support/reference-config.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

const reference = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), "utf8")) as { body: Record<string, unknown> };
const REFERENCE_CONFIG = referenceConfig();

let server: TestServer;
let globalDir: string;
const saved = { ...process.env };
const configOf = async (directory: string) =>
  ((await sdkV2({ baseUrl: server.url, directory }).config.get()).data ?? {}) as Record<string, unknown>;

beforeAll(async () => {
  const home = makeTempDir("xdg");
  process.env.XDG_CONFIG_HOME = home;
  globalDir = path.join(home, "opencode");
  mkdirSync(globalDir, { recursive: true });
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => {
  for (const key of ["OPENCODE_CONFIG_CONTENT", "OPENCODE_CONFIG", "AGENTPOOL_TEST_MODEL"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  server.services.configs.invalidate();
});

describe("GET /config", () => {
  it("answers the reference configuration as upstream does", async () => {
    const repo = makeRepo("config-ref");
    writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(REFERENCE_CONFIG));
    const { username: _u, ...expected } = reference("get_config.json").body;
    const { username, ...actual } = await configOf(repo.dir);
    expect(actual).toEqual(expected);
    expect(typeof username).toBe("string");
  });

  it("reads JSONC with {env:} and {file:} substitutions", async () => {
    const repo = makeRepo("config-jsonc");
    process.env.AGENTPOOL_TEST_MODEL = "fake/from-env";
    writeFileSync(path.join(repo.dir, "prompt.txt"), 'Be "careful".\n');
    writeFileSync(
      path.join(repo.dir, "opencode.jsonc"),
      `{
        // the model comes from the environment
        "model": "{env:AGENTPOOL_TEST_MODEL}",
        "agent": { "build": { "prompt": "{file:prompt.txt}", }, },
      }`,
    );
    const config = await configOf(repo.dir);
    expect(config.model).toBe("fake/from-env");
    expect((config.agent as Record<string, { prompt: string }>).build!.prompt).toBe('Be "careful".');
  });

  it("merges global, project and closer files, closer ones winning, and OPENCODE_CONFIG_CONTENT last", async () => {
    writeFileSync(
      path.join(globalDir, "opencode.json"),
      JSON.stringify({ model: "global/model", small_model: "global/small", plugin: ["a"] }),
    );
    const repo = makeRepo("config-merge");
    writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify({ model: "project/model", plugin: ["b"] }));
    const sub = path.join(repo.dir, "packages", "web");
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, "opencode.json"), JSON.stringify({ model: "nested/model" }));
    expect(await configOf(repo.dir)).toMatchObject({ model: "project/model", small_model: "global/small", plugin: ["a", "b"] });
    expect((await configOf(sub)).model).toBe("nested/model");
    process.env.OPENCODE_CONFIG_CONTENT = JSON.stringify({ model: "inline/model" });
    server.services.configs.invalidate();
    expect((await configOf(sub)).model).toBe("inline/model");
    const global = (await sdkV2({ baseUrl: server.url }).global.config.get()).data as Record<string, unknown>;
    expect(global).toEqual({
      $schema: "https://opencode.ai/config.json",
      model: "global/model",
      small_model: "global/small",
      plugin: ["a"],
    });
    writeFileSync(path.join(globalDir, "opencode.json"), "{}");
  });

  it("names the file and the problem when a configuration is broken", async () => {
    const repo = makeRepo("config-broken");
    const file = path.join(repo.dir, "opencode.json");
    writeFileSync(file, '{ "model": ');
    const res = await server.fetch(`/config?directory=${encodeURIComponent(repo.dir)}`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { name: string; data: { message: string; path: string } };
    expect(body.name).toBe("ConfigInvalidError");
    expect(body.data.path).toBe(file);
    expect(body.data.message).toContain(file);
    writeFileSync(file, JSON.stringify({ model: 42 }));
    const invalid = await server.fetch(`/config?directory=${encodeURIComponent(repo.dir)}`);
    expect(((await invalid.json()) as { data: { message: string } }).data.message).toMatch(/model/);
  });
});

describe("PATCH /config and /global/config", () => {
  it("merges the change into the project file, keeping its comments, and takes effect at once", async () => {
    const repo = makeRepo("config-update");
    const file = path.join(repo.dir, "opencode.jsonc");
    writeFileSync(file, '{\n  // keep me\n  "model": "a/b",\n  "agent": { "build": { "prompt": "x" } }\n}\n');
    expect((await configOf(repo.dir)).model).toBe("a/b");
    const client = sdkV2({ baseUrl: server.url, directory: repo.dir });
    const updated = (await client.config.update({ config: { model: "c/d", agent: { plan: { prompt: "y" } } } as never })).data as Record<
      string,
      unknown
    >;
    expect(updated).toMatchObject({ model: "c/d", agent: { build: { prompt: "x" }, plan: { prompt: "y" } } });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("// keep me");
    expect((await configOf(repo.dir)).model).toBe("c/d");
  });

  it("creates the global file when there is none", async () => {
    const client = sdkV2({ baseUrl: server.url });
    const updated = (await client.global.config.update({ config: { small_model: "x/y" } as never })).data as Record<string, unknown>;
    expect(updated).toMatchObject({ $schema: "https://opencode.ai/config.json", small_model: "x/y" });
    expect(JSON.parse(readFileSync(path.join(globalDir, "opencode.json"), "utf8"))).toMatchObject({ small_model: "x/y" });
    writeFileSync(path.join(globalDir, "opencode.json"), "{}");
  });
});

describe("GET /config/providers", () => {
  it("answers the usable providers and their default models", async () => {
    const repo = makeRepo("config-providers");
    writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(REFERENCE_CONFIG));
    const { data } = await sdkV2({ baseUrl: server.url, directory: repo.dir }).config.providers();
    expect(data!.default).toMatchObject({ fake: "fake-model" });
    expect(data!.providers.map((p) => p.id)).toContain("fake");
  });
});

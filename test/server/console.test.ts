// The web console's files at /: index.html for a browser navigation to any path the API does not
// own (client-side routes), caching headers, the JSON 404 kept for API clients, auth in front.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

function fakeDist(): string {
  const dist = makeTempDir("console-dist");
  mkdirSync(path.join(dist, "assets"));
  writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(path.join(dist, "assets", "index-AbC123.js"), "console.log(1)");
  writeFileSync(path.join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  return dist;
}

describe("the web console's files", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ consoleDist: fakeDist() });
  });
  afterAll(() => server.close());

  it("serves index.html at / to a browser, not cached", async () => {
    const res = await server.fetch("/", { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toContain("<title>console</title>");
  });

  it("serves index.html for the console's own routes (a reload of /s/<id>)", async () => {
    for (const route of ["/s/ses_123", "/agents", "/some/deep/link"]) {
      const res = await server.fetch(route, { headers: HTML });
      expect(res.status, route).toBe(200);
      expect(await res.text()).toContain("<title>console</title>");
    }
  });

  it("serves hashed assets for a year and other files with revalidation", async () => {
    const asset = await server.fetch("/assets/index-AbC123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const icon = await server.fetch("/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("keeps the JSON 404 for API clients and for paths the API owns", async () => {
    for (const [route, headers] of [
      ["/", { accept: "application/json" }],
      ["/", {}],
      ["/s/ses_123", { accept: "*/*" }],
      ["/assets/missing.js", HTML],
      ["/session/ses_123/nothing/here", HTML],
      ["/global/nothing", HTML],
    ] as const) {
      const res = await server.fetch(route, { headers });
      expect(res.status, route).toBe(404);
      expect(await res.json(), route).toMatchObject({ name: "NotFoundError" });
    }
  });

  it("leaves API routes to the API even when a browser asks for them", async () => {
    const res = await server.fetch("/path", { headers: HTML });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("directory");
  });

  it("answers only GET and HEAD with its files", async () => {
    const res = await server.fetch("/", { method: "POST", headers: HTML });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/json/);
  });
});

describe("the web console without a build", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ consoleDist: path.join(makeTempDir("no-console"), "dist") });
  });
  afterAll(() => server.close());

  it("tells a browser how to build it, and API clients still get the JSON 404", async () => {
    const page = await server.fetch("/", { headers: HTML });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("npm run build:web");
    expect((await server.fetch("/")).status).toBe(404);
  });
});

describe("the web console behind OPENCODE_SERVER_PASSWORD", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ consoleDist: fakeDist(), credentials: { username: "opencode", password: "secret" } });
  });
  afterAll(() => server.close());

  it("asks the browser for credentials, for the page and its assets alike", async () => {
    for (const route of ["/", "/assets/index-AbC123.js", "/favicon.svg"]) {
      const res = await server.fetch(route, { headers: HTML });
      expect(res.status, route).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="Secure Area"');
    }
    const authorization = `Basic ${Buffer.from("opencode:secret").toString("base64")}`;
    const res = await server.fetch("/", { headers: { ...HTML, authorization } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<title>console</title>");
  });
});

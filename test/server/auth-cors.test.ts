// Basic auth and CORS, compared case by case with what the real opencode 1.18.33 answered
// (test/fixtures/reference/auth.json and cors.json).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

interface AuthCase {
  name: string;
  method: string;
  path: string;
  reqHeaders: Record<string, string>;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
type CorsExchange = {
  request: { method: string; path: string; headers: Record<string, string> };
  status: number;
  headers: Record<string, string>;
  body: unknown;
};
type CorsCase = { origin: string } & Record<string, CorsExchange | string>;

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), "utf8")) as T;
const authCases = fixture<AuthCase[]>("auth.json");
const corsCases = fixture<CorsCase[]>("cors.json");

/** The headers these tests compare: everything CORS- and auth-related, present or absent. */
function relevantHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(entries.filter(([name]) => /^(access-control-|vary$|www-authenticate$)/.test(name)));
}

describe("basic auth (OPENCODE_SERVER_PASSWORD=secret, --cors https://example.com)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ credentials: { username: "opencode", password: "secret" }, corsOrigins: ["https://example.com"] });
  });
  afterAll(() => server.close());

  it.each(authCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const controller = new AbortController();
    const res = await server.fetch(c.path, { method: c.method, headers: c.reqHeaders, signal: controller.signal });
    expect(relevantHeaders(res.headers)).toEqual(relevantHeaders(c.headers));
    if (c.status === 401 || c.status === 204) {
      expect(res.status).toBe(c.status);
      expect(await res.text()).toBe("");
    } else if (c.path.startsWith("/global/health")) {
      expect(res.status).toBe(c.status);
      expect(await res.json()).toEqual(c.body);
    } else {
      // Authenticated, on an operation a later issue implements: anything but 401.
      expect(res.status).not.toBe(401);
    }
    controller.abort();
  });

  it("takes the user name from OPENCODE_SERVER_USERNAME", async () => {
    const alice = await startTestServer({ credentials: { username: "alice", password: "secret" } });
    const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:secret`).toString("base64")}` });
    expect((await alice.fetch("/global/health", { headers: basic("alice") })).status).toBe(200);
    expect((await alice.fetch("/global/health", { headers: basic("opencode") })).status).toBe(401);
    await alice.close();
  });
});

describe("CORS", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const exchanges = corsCases.flatMap((c) =>
    Object.entries(c)
      .filter((entry): entry is [string, CorsExchange] => entry[0] !== "origin")
      .map(([kind, exchange]) => [`${kind} from ${c.origin}`, exchange] as const),
  );

  it.each(exchanges)("%s", async (_name, exchange) => {
    const res = await server.fetch(exchange.request.path, { method: exchange.request.method, headers: exchange.request.headers });
    expect(res.status).toBe(exchange.status);
    expect(relevantHeaders(res.headers)).toEqual(relevantHeaders(exchange.headers));
    if (exchange.body !== null) expect(await res.json()).toEqual(exchange.body);
  });

  it("varies on Origin when the request has none", async () => {
    const res = await server.fetch("/global/health");
    expect(res.headers.get("vary")).toBe("Origin");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

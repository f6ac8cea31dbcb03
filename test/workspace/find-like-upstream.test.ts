// The TUI's `@` search (/api/fs/find, and /find/file) finds what upstream's finder finds: its
// typo-tolerant matching lists paths that hold most of the query's characters in order, not only
// all of them. The expected lists are what the real opencode serve 1.18.33 answered for the same
// projects (the reference capture's, and one recorded for this test); the order within upstream's
// weaker matches is its own scoring, compared here as a set.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let capture: { dir: string };
let recorded: { dir: string };

function write(dir: string, files: string[]) {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), "x\n");
  }
}

beforeAll(async () => {
  capture = makeRepo("find-capture");
  write(capture.dir, ["README.md", "src/index.ts", "opencode.json", ".gitignore"]);
  recorded = makeRepo("find-recorded");
  write(recorded.dir, [
    "README.md",
    "src/index.ts",
    "src/reader.ts",
    "src/ready.ts",
    "src/rEAdme.txt",
    "docs/read-guide.md",
    "readers/a.txt",
    "opencode.json",
    ".gitignore",
  ]);
  server = await startTestServer({ projectDirectory: capture.dir });
});
afterAll(async () => {
  await server.close();
});

async function find(dir: string, query: string, type?: string): Promise<string[]> {
  const res = await server.fetch(
    `/api/fs/find?query=${encodeURIComponent(query)}${type ? `&type=${type}` : ""}&location[directory]=${encodeURIComponent(dir)}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { path: string }[] }).data.map((e) => e.path);
}

/** Only the repository's own files: makeRepo may add some of its own. */
const only = (_dir: string, paths: string[], files: string[]) => paths.filter((p) => files.includes(p.replace(/\/$/, "")));
// Folders end with "/", as upstream answers them.

describe("/api/fs/find as upstream", () => {
  it("lists the four files upstream lists for @READ in the reference project, README.md first", async () => {
    const files = ["README.md", "src/index.ts", "opencode.json", ".gitignore", "src"];
    const found = only(capture.dir, await find(capture.dir, "READ"), files);
    expect(found[0]).toBe("README.md");
    expect(found.sort()).toEqual([".gitignore", "README.md", "opencode.json", "src/index.ts"]);
    // The capture's /find/file?query=index: src/index.ts, opencode.json, .gitignore (not README.md).
    const index = await server.fetch(`/find/file?query=index&directory=${encodeURIComponent(capture.dir)}`);
    const indexFound = only(capture.dir, (await index.json()) as string[], files);
    expect(indexFound[0]).toBe("src/index.ts");
    expect(indexFound.sort()).toEqual([".gitignore", "opencode.json", "src/index.ts"]);
  });

  it("ranks the paths holding the whole query first, folders included, as upstream", async () => {
    const files = [
      "README.md",
      "src/index.ts",
      "src/reader.ts",
      "src/ready.ts",
      "src/rEAdme.txt",
      "docs/read-guide.md",
      "readers/a.txt",
      "opencode.json",
      ".gitignore",
      "src",
      "docs",
      "readers",
    ];
    const found = only(recorded.dir, await find(recorded.dir, "READ"), files);
    // Upstream: README.md, src/rEAdme.txt, readers/, src/ready.ts, readers/a.txt, src/reader.ts,
    // docs/read-guide.md, then .gitignore, opencode.json, src/index.ts (and not src or docs).
    expect(found.slice(0, 7).sort()).toEqual(
      ["README.md", "docs/read-guide.md", "readers/", "readers/a.txt", "src/rEAdme.txt", "src/reader.ts", "src/ready.ts"].sort(),
    );
    expect(found.slice(7).sort()).toEqual([".gitignore", "opencode.json", "src/index.ts"]);
    expect(found[0]).toBe("README.md");
    expect(only(recorded.dir, await find(recorded.dir, "READ", "file"), files)).not.toContain("readers/");
  });
});

// Files, search and git over HTTP (file.*, find.*, vcs.*): listings with .gitignore, contents
// (text with diff and patch, binary as base64), search hits with ripgrep and without, fuzzy file
// ranking, git status and diffs after changes, applying a patch, and path escapes refused.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchText } from "../../src/files/text-search.js";
import type { EventLike } from "../support/event-sequence.js";
import { openEventReader } from "../support/sse.js";
import { git, makeRepo } from "../support/git.js";
import { sdkV2 } from "../support/sdk.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let dir: string;
const sdk = () => sdkV2({ baseUrl: server.url, directory: dir });
const get = async (url: string) => {
  const res = await server.fetch(`${url}${url.includes("?") ? "&" : "?"}directory=${encodeURIComponent(dir)}`);
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  dir = makeRepo("files").dir;
  mkdirSync(path.join(dir, "src", "util"), { recursive: true });
  writeFileSync(path.join(dir, ".gitignore"), "build/\n*.log\n");
  writeFileSync(path.join(dir, "src", "index.ts"), "export const add = (a: number, b: number) => a + b;\n// TODO: more\n");
  writeFileSync(path.join(dir, "src", "util", "strings.ts"), "export function hello(name: string) {\n  return `hello ${name}`;\n}\n");
  writeFileSync(path.join(dir, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "second");
  mkdirSync(path.join(dir, "build"));
  writeFileSync(path.join(dir, "build", "out.js"), "x");
  writeFileSync(path.join(dir, "debug.log"), "log");
  writeFileSync(path.join(dir, ".env"), "SECRET=1\n");
  server = await startTestServer({ projectDirectory: dir });
});
afterAll(() => server.close());

describe("file.list and file.read", () => {
  it("lists a folder, folders first, with .gitignore's verdict", async () => {
    const nodes = (await sdk().file.list({ path: "." })).data!;
    expect(nodes.map((n) => [n.name, n.type, n.ignored])).toEqual([
      [".git", "directory", false],
      ["build", "directory", true],
      ["src", "directory", false],
      [".env", "file", false],
      [".gitignore", "file", false],
      ["debug.log", "file", true],
      ["logo.png", "file", false],
      ["README.md", "file", false],
    ]);
    expect(nodes.find((n) => n.name === "src")).toEqual({
      name: "src",
      path: "src/",
      absolute: path.join(dir, "src"),
      type: "directory",
      ignored: false,
    });
    const src = (await sdk().file.list({ path: "src" })).data!;
    expect(src.map((n) => n.path)).toEqual(["src/util/", "src/index.ts"]);
  });

  it("reads text, binary as base64, and a changed file with its diff and patch", async () => {
    expect((await sdk().file.read({ path: "src/index.ts" })).data).toEqual({
      type: "text",
      content: "export const add = (a: number, b: number) => a + b;\n// TODO: more\n",
    });
    expect((await sdk().file.read({ path: "logo.png" })).data).toEqual({
      type: "binary",
      content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]).toString("base64"),
      encoding: "base64",
      mimeType: "image/png",
    });
    writeFileSync(path.join(dir, "README.md"), "# files\nchanged line\n");
    const changed = (await sdk().file.read({ path: "README.md" })).data!;
    expect(changed.diff).toContain("+changed line");
    expect(changed.patch!.hunks[0]!.lines).toEqual([" # files", "+changed line"]);
    expect((await sdk().file.read({ path: "missing.txt" })).data).toEqual({ type: "text", content: "" });
    git(dir, "checkout", "README.md");
  });

  it("refuses .., absolute paths and symlinks out of the project, and .env files", async () => {
    symlinkSync("/etc", path.join(dir, "etc-link"));
    try {
      for (const bad of ["../../etc/hostname", "/etc/hostname", "etc-link/hostname"]) {
        const { status, body } = await get(`/file/content?path=${encodeURIComponent(bad)}`);
        expect(status, bad).toBe(400);
        expect(body.data.message).toMatch(/escapes the project directory/);
      }
      expect((await get("/file?path=..")).status).toBe(400);
      const env = await get("/file/content?path=.env");
      expect(env.status).toBe(403);
      expect(env.body.data.message).toMatch(/secrets/);
    } finally {
      rmSync(path.join(dir, "etc-link"));
    }
  });

  it("answers 400 (file.list declares no 404) for a folder that does not exist and 400 for a file given to file.list", async () => {
    expect((await get("/file?path=nope")).status).toBe(400);
    expect((await get("/file?path=README.md")).status).toBe(400);
  });
});

describe("find.*", () => {
  it("finds text with ripgrep's match shape", async () => {
    const { body } = await get("/find?pattern=hello");
    expect(body).toEqual([
      {
        path: { text: "src/util/strings.ts" },
        lines: { text: "export function hello(name: string) {\n" },
        line_number: 1,
        absolute_offset: 0,
        submatches: [{ match: { text: "hello" }, start: 16, end: 21 }],
      },
      {
        path: { text: "src/util/strings.ts" },
        lines: { text: "  return `hello ${name}`;\n" },
        line_number: 2,
        absolute_offset: 38,
        submatches: [{ match: { text: "hello" }, start: 10, end: 15 }],
      },
    ]);
  });

  it("the built-in search gives the same hits as ripgrep", async () => {
    for (const pattern of ["hello", "TODO", "a \\+ b", "nothing-matches-this"]) {
      const viaRipgrep = await searchText(pattern, dir, { engine: "ripgrep" });
      const builtin = await searchText(pattern, dir, { engine: "builtin" });
      expect(builtin, pattern).toEqual(viaRipgrep);
    }
    expect((await get("/find?pattern=(")).status).toBe(400);
  });

  it("finds files by a fuzzy name, honouring type, dirs and limit", async () => {
    // Exact matches first; upstream's finder also tolerates typos, so weaker matches follow.
    expect((await sdk().find.files({ query: "strings" })).data![0]).toBe("src/util/strings.ts");
    expect((await sdk().find.files({ query: "util", type: "directory" })).data).toEqual(["src/util/"]);
    expect((await sdk().find.files({ query: "src", dirs: "false" })).data!.every((p) => !p.endsWith("/"))).toBe(true);
    expect((await sdk().find.files({ query: "", limit: 2 })).data).toHaveLength(2);
    const ranked = (await sdk().find.files({ query: "index" })).data!;
    expect(ranked[0]).toBe("src/index.ts");
  });

  it("find.symbols: no language server runs here, so no symbols", async () => {
    expect((await sdk().find.symbols({ query: "add" })).data).toEqual([]);
  });
});

describe("file.status and vcs.*", () => {
  it("reports the branch and the default branch, and follows a checkout", async () => {
    expect((await sdk().vcs.get()).data).toEqual({ branch: "main", default_branch: "main" });
    git(dir, "checkout", "-q", "-b", "feature");
    expect((await sdk().vcs.get()).data).toEqual({ branch: "feature", default_branch: "main" });
  });

  it("reports added, modified and deleted files with line counts", async () => {
    writeFileSync(path.join(dir, "src", "index.ts"), "export const add = (a: number, b: number) => a + b;\nexport const one = 1;\n");
    writeFileSync(path.join(dir, "notes.md"), "one\ntwo\nthree\n");
    rmSync(path.join(dir, "src", "util", "strings.ts"));
    // .env is untracked (not ignored here): an added file like any other.
    expect((await sdk().file.status()).data).toEqual([
      { path: ".env", added: 1, removed: 0, status: "added" },
      { path: "notes.md", added: 3, removed: 0, status: "added" },
      { path: "src/index.ts", added: 1, removed: 1, status: "modified" },
      { path: "src/util/strings.ts", added: 0, removed: 3, status: "deleted" },
    ]);
    expect((await sdk().vcs.status()).data).toEqual([
      { file: ".env", additions: 1, deletions: 0, status: "added" },
      { file: "notes.md", additions: 3, deletions: 0, status: "added" },
      { file: "src/index.ts", additions: 1, deletions: 1, status: "modified" },
      { file: "src/util/strings.ts", additions: 0, deletions: 3, status: "deleted" },
    ]);
  });

  it("vcs.diff gives each file's patch; vcs.diff.raw the whole diff as text/x-diff", async () => {
    const diffs = (await sdk().vcs.diff({ mode: "git" })).data!;
    expect(diffs.find((d) => d.file === "src/index.ts")!.patch).toContain("+export const one = 1;");
    expect(diffs.find((d) => d.file === "notes.md")!.patch).toContain("+three");
    const raw = await server.fetch(`/vcs/diff/raw?directory=${encodeURIComponent(dir)}`);
    expect(raw.headers.get("content-type")).toBe("text/x-diff; charset=utf-8");
    const text = await raw.text();
    expect(text).toContain("diff --git a/src/index.ts b/src/index.ts");
    expect(text).toContain("-export function hello(name: string) {");
    expect(text).toContain("+one");
    // Branch mode compares with the merge base of the default branch: the same changes here.
    expect((await sdk().vcs.diff({ mode: "branch" })).data!.map((d) => d.file)).toEqual(diffs.map((d) => d.file));
  });

  it("vcs.apply applies a patch (and answers applied: false, changing nothing, for one that does not apply)", async () => {
    git(dir, "checkout", "-q", "--", ".");
    rmSync(path.join(dir, "notes.md"));
    const patch = [
      "diff --git a/README.md b/README.md",
      "--- a/README.md",
      "+++ b/README.md",
      "@@ -1 +1,2 @@",
      " # files",
      "+applied by vcs.apply",
      "",
    ].join("\n");
    const res = await server.fetch(`/vcs/apply?directory=${encodeURIComponent(dir)}`, jsonInit("POST", { patch }));
    expect(await res.json()).toEqual({ applied: true });
    expect(readFileSync(path.join(dir, "README.md"), "utf8")).toBe("# files\napplied by vcs.apply\n");
    const again = await server.fetch(
      `/vcs/apply?directory=${encodeURIComponent(dir)}`,
      jsonInit("POST", { patch: patch.replace("# files", "# other") }),
    );
    expect(await again.json()).toEqual({ applied: false });
    expect(readFileSync(path.join(dir, "README.md"), "utf8")).toBe("# files\napplied by vcs.apply\n");
  });
});

describe("the file watcher", () => {
  it("publishes file.watcher.updated for changes made outside the server, and vcs.branch.updated on a checkout", async () => {
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
    await reader.next();
    const file = path.join(dir, "outside-edit.txt");
    const seen = (event: string) =>
      reader.next<EventLike>(
        (e) =>
          e.type === "file.watcher.updated" &&
          (e.properties as { file: string; event: string }).file === file &&
          (e.properties as { event: string }).event === event,
        10_000,
      );
    writeFileSync(file, "one\n");
    await seen("add");
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(file, "two\n");
    await seen("change");
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(file);
    await seen("unlink");
    git(dir, "checkout", "-q", "-b", "watched-branch");
    const branch = await reader.next<EventLike>((e) => e.type === "vcs.branch.updated", 10_000);
    expect(branch.properties).toEqual({ branch: "watched-branch" });
    reader.close();
  });

  it("watches folders deep in the tree and folders made later, and nothing under node_modules", async () => {
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
    await reader.next();
    const reported = (file: string, event: string) =>
      reader.next<EventLike>((e) => {
        const properties = e.properties as { file?: string; event?: string };
        return e.type === "file.watcher.updated" && properties.file === file && properties.event === event;
      }, 10_000);
    // A folder that was there at start, two levels down.
    const deep = path.join(dir, "src", "util", "deep.ts");
    writeFileSync(deep, "export {};\n");
    await reported(deep, "add");
    // A folder made now, and one made inside it.
    mkdirSync(path.join(dir, "later", "inner"), { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = path.join(dir, "later", "inner", "made-later.ts");
    writeFileSync(later, "export {};\n");
    await reported(later, "add");
    // Under node_modules: written first, then a file outside it; only the second is reported.
    mkdirSync(path.join(dir, "node_modules", "pkg"), { recursive: true });
    writeFileSync(path.join(dir, "node_modules", "pkg", "index.js"), "x");
    const marker = path.join(dir, "after-node-modules.txt");
    writeFileSync(marker, "x");
    await reported(marker, "add");
    const files = reader.frames.map((frame) => ((frame as EventLike).properties as { file?: string }).file ?? "");
    expect(files.filter((file) => file.includes("node_modules"))).toEqual([]);
    rmSync(path.join(dir, "later"), { recursive: true });
    rmSync(path.join(dir, "node_modules"), { recursive: true });
    rmSync(marker);
    rmSync(deep);
    reader.close();
  });
});

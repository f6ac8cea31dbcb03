// What follows the write tool's change of a file: the formatter configured for its extension
// runs on it (other files are left alone), and the language servers configured for it start.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject, type LlmProject } from "../support/llm-project.js";
import { jsonInit } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

let project: LlmProject;

/** A language server that answers `initialize` and exits on `exit`, speaking LSP framing on stdio. */
const FAKE_LSP = `
let buffer = Buffer.alloc(0);
const send = (m) => { const b = JSON.stringify({ jsonrpc: "2.0", ...m }); process.stdout.write("Content-Length: " + Buffer.byteLength(b) + "\\r\\n\\r\\n" + b); };
process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf("\\r\\n\\r\\n");
    if (end < 0) return;
    const length = Number(/Content-Length: (\\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
    buffer = buffer.subarray(end + 4 + length);
    if (message.method === "initialize") send({ id: message.id, result: { capabilities: {} } });
    if (message.method === "shutdown") send({ id: message.id, result: null });
    if (message.method === "exit") process.exit(0);
  }
});
`;

beforeAll(async () => {
  const tools = makeTempDir("formatter");
  // Upper-cases the file it is given: easy to see it ran.
  writeFileSync(
    path.join(tools, "upper.cjs"),
    `const fs = require("fs"); const f = process.argv[2]; fs.writeFileSync(f, fs.readFileSync(f, "utf8").toUpperCase() + process.env.FORMAT_MARK);`,
  );
  writeFileSync(path.join(tools, "fake-lsp.cjs"), FAKE_LSP);
  project = await startLlmProject("after-edit", {
    config: {
      lsp: {
        fake: { command: [process.execPath, path.join(tools, "fake-lsp.cjs")], extensions: [".ts"] },
        broken: { command: [path.join(tools, "no-such-server")], extensions: [".ts"] },
        python: { command: [process.execPath, path.join(tools, "fake-lsp.cjs")], extensions: [".py"] },
      },
      formatter: {
        upper: {
          command: [process.execPath, path.join(tools, "upper.cjs"), "$FILE"],
          extensions: [".txt"],
          environment: { FORMAT_MARK: "#formatted\n" },
        },
      },
    },
  });
});
afterAll(async () => {
  await project.server.close();
  await project.llm.stop();
});

async function promptWrite(filePath: string, content: string): Promise<void> {
  project.llm.setScript((request) =>
    request.body.messages.at(-1)?.role === "tool"
      ? { kind: "text", text: "done" }
      : request.body.tools
        ? { kind: "tool", calls: [{ name: "write", args: { filePath, content } }] }
        : { kind: "text", text: "Title" },
  );
  const session = (await (await project.server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
  const res = await project.server.fetch(
    `/session/${session.id}/message`,
    jsonInit("POST", { parts: [{ type: "text", text: "write it" }] }),
  );
  expect(res.status).toBe(200);
}

describe("format on edit", () => {
  it("runs the formatter of the file's extension after the write tool, with its environment", async () => {
    await promptWrite("notes.txt", "hello\n");
    const file = path.join(project.repo.dir, "notes.txt");
    await project.server.services.formatting.idle();
    expect(readFileSync(file, "utf8")).toBe("HELLO\n#formatted\n");
    expect(project.server.logLines().some((l) => l.msg === "formatted" && l.formatter === "upper" && l.file === file)).toBe(true);
  });

  it("leaves a file no formatter claims as written", async () => {
    await promptWrite("notes.log", "plain\n");
    // file.edited was published before the reply: any formatter it started is among these.
    await project.server.services.formatting.idle();
    expect(readFileSync(path.join(project.repo.dir, "notes.log"), "utf8")).toBe("plain\n");
    expect(project.server.logLines().some((l) => l.file === path.join(project.repo.dir, "notes.log"))).toBe(false);
  });
});

describe("language servers", () => {
  it("start when the write tool changes a file they handle: one connected, one that cannot start in error", async () => {
    expect(await (await project.server.fetch("/lsp")).json()).toEqual([]);
    await promptWrite("src/index.ts", "export const a = 1;\n");
    await expect.poll(async () => ((await (await project.server.fetch("/lsp")).json()) as { id: string }[]).length).toBe(2);
    const status = (await (await project.server.fetch("/lsp")).json()) as { id: string }[];
    expect(status).toEqual(
      expect.arrayContaining([
        { id: "fake", name: "fake", root: ".", status: "connected" },
        { id: "broken", name: "broken", root: ".", status: "error" },
      ]),
    );
    // The Python server handles no .ts file: it did not start.
    expect(status.map((s) => s.id)).not.toContain("python");
  });

  it("stop when the instance is disposed", async () => {
    await project.server.fetch("/instance/dispose", { method: "POST" });
    expect(await (await project.server.fetch("/lsp")).json()).toEqual([]);
  });
});

// A formatter configured under `formatter` runs on the files the write tool changes, by
// extension, and leaves other files alone.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject, type LlmProject } from "../support/llm-project.js";
import { jsonInit } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

let project: LlmProject;

beforeAll(async () => {
  const tools = makeTempDir("formatter");
  // Upper-cases the file it is given: easy to see it ran.
  writeFileSync(
    path.join(tools, "upper.cjs"),
    `const fs = require("fs"); const f = process.argv[2]; fs.writeFileSync(f, fs.readFileSync(f, "utf8").toUpperCase() + process.env.FORMAT_MARK);`,
  );
  project = await startLlmProject("format-on-edit", {
    config: {
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

// A small external agent for the tests: a real process speaking the Agent Client Protocol on its
// stdio (started by the server like any ACP agent). What it does depends on the prompt's text:
//   "hello"      streams a thought, then a reply in chunks
//   "tools"      runs a command in a client terminal, reads and writes files through the client,
//                reports each as a tool call with updates, and sends a plan
//   "permission" asks permission for a command and reports the outcome
//   "outside"    tries to write outside the project and reports the refusal
//   "crash"      exits in the middle of the turn
//   "wait"       streams a chunk, then waits until the turn is cancelled
import { randomUUID } from "node:crypto";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";

const cancels = new Map<string, AbortController>();
const cwds = new Map<string, string>();

type Client = acp.AgentContext;

function text(
  client: Client,
  sessionId: string,
  chunk: string,
  kind: "agent_message_chunk" | "agent_thought_chunk" = "agent_message_chunk",
) {
  return client.notify(acp.methods.client.session.update, {
    sessionId,
    update: { sessionUpdate: kind, content: { type: "text", text: chunk } },
  });
}

function update(client: Client, sessionId: string, value: acp.SessionUpdate) {
  return client.notify(acp.methods.client.session.update, { sessionId, update: value });
}

async function tools(client: Client, sessionId: string): Promise<void> {
  const cwd = cwds.get(sessionId)!;
  await update(client, sessionId, {
    sessionUpdate: "tool_call",
    toolCallId: "call_term",
    title: "bash",
    kind: "execute",
    status: "pending",
  });
  // As opencode acp does: the call first, its real input in a later update.
  await update(client, sessionId, {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_term",
    title: "Run echo",
    status: "in_progress",
    rawInput: { command: "echo acp-terminal-output" },
  });
  const { terminalId } = await client.request(acp.methods.client.terminal.create, {
    sessionId,
    command: "echo",
    args: ["acp-terminal-output"],
  });
  const exit = await client.request(acp.methods.client.terminal.waitForExit, { sessionId, terminalId });
  const { output } = await client.request(acp.methods.client.terminal.output, { sessionId, terminalId });
  await client.request(acp.methods.client.terminal.release, { sessionId, terminalId });
  await update(client, sessionId, {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_term",
    status: "completed",
    content: [{ type: "content", content: { type: "text", text: `${output.trim()} (exit ${exit.exitCode})` } }],
  });

  const readme = `${cwd}/README.md`;
  await update(client, sessionId, {
    sessionUpdate: "tool_call",
    toolCallId: "call_read",
    title: "Read README.md",
    kind: "read",
    locations: [{ path: readme }],
  });
  const { content } = await client.request(acp.methods.client.fs.readTextFile, { sessionId, path: readme });
  await update(client, sessionId, {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_read",
    status: "completed",
    content: [{ type: "content", content: { type: "text", text: content } }],
  });

  const written = `${cwd}/acp-written.txt`;
  await update(client, sessionId, {
    sessionUpdate: "tool_call",
    toolCallId: "call_write",
    title: "Write acp-written.txt",
    kind: "edit",
    locations: [{ path: written }],
  });
  await client.request(acp.methods.client.fs.writeTextFile, { sessionId, path: written, content: "written over ACP\n" });
  await update(client, sessionId, {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_write",
    status: "completed",
    content: [{ type: "diff", path: written, oldText: null, newText: "written over ACP\n" }],
  });

  await update(client, sessionId, {
    sessionUpdate: "plan",
    entries: [
      { content: "run a command", priority: "high", status: "completed" },
      { content: "write a file", priority: "medium", status: "in_progress" },
    ],
  });
  await text(client, sessionId, "All tools ran.");
}

async function permission(client: Client, sessionId: string): Promise<void> {
  const toolCall = {
    toolCallId: "call_perm",
    title: "Remove the build folder",
    kind: "execute" as const,
    rawInput: { command: "rm -rf build" },
  };
  await update(client, sessionId, { sessionUpdate: "tool_call", ...toolCall, status: "pending" });
  const options: acp.PermissionOption[] = [
    { optionId: "yes", name: "Allow", kind: "allow_once" },
    { optionId: "always", name: "Always allow", kind: "allow_always" },
    { optionId: "no", name: "Reject", kind: "reject_once" },
  ];
  const { outcome } = (await client.request(acp.methods.client.session.requestPermission, {
    sessionId,
    toolCall,
    options,
  })) as acp.RequestPermissionResponse;
  const chosen = outcome.outcome === "selected" ? outcome.optionId : "cancelled";
  const allowed = chosen === "yes" || chosen === "always";
  await update(client, sessionId, {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_perm",
    status: allowed ? "completed" : "failed",
    content: [{ type: "content", content: { type: "text", text: allowed ? "removed build/" : "not allowed" } }],
  });
  await text(client, sessionId, `permission outcome: ${chosen}`);
}

async function outside(client: Client, sessionId: string): Promise<void> {
  try {
    await client.request(acp.methods.client.fs.writeTextFile, { sessionId, path: "/tmp/acp-outside-escape.txt", content: "escaped" });
    await text(client, sessionId, "outside write succeeded");
  } catch (error) {
    await text(client, sessionId, `outside write refused: ${(error as Error).message}`);
  }
}

const app = acp
  .agent({ name: "test-acp-agent" })
  .onRequest(acp.methods.agent.initialize, () => ({ protocolVersion: acp.PROTOCOL_VERSION, agentCapabilities: {} }))
  .onRequest(acp.methods.agent.session.new, ({ params }) => {
    const sessionId = `acp-${randomUUID()}`;
    cwds.set(sessionId, params.cwd);
    return { sessionId };
  })
  .onNotification(acp.methods.agent.session.cancel, ({ params }) => cancels.get(params.sessionId)?.abort())
  .onRequest(acp.methods.agent.session.prompt, async ({ params, client }) => {
    const { sessionId } = params;
    const prompt = params.prompt.map((block) => (block.type === "text" ? block.text : "")).join(" ");
    const cancel = new AbortController();
    cancels.set(sessionId, cancel);
    if (prompt.includes("crash")) {
      await text(client, sessionId, "about to crash");
      setTimeout(() => process.exit(3), 50);
      await new Promise(() => {});
    }
    if (prompt.includes("wait")) {
      await text(client, sessionId, "waiting for cancel");
      await new Promise((resolve) => cancel.signal.addEventListener("abort", resolve, { once: true }));
      return { stopReason: "cancelled" as const };
    }
    if (prompt.includes("tools")) await tools(client, sessionId);
    else if (prompt.includes("permission")) await permission(client, sessionId);
    else if (prompt.includes("outside")) await outside(client, sessionId);
    else {
      await text(client, sessionId, "Thinking about the greeting.", "agent_thought_chunk");
      for (const chunk of ["Hello ", "from ", "the ACP ", "agent: ", prompt]) await text(client, sessionId, chunk);
    }
    return { stopReason: "end_turn" as const };
  });

app.connect(
  acp.ndJsonStream(
    Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
  ),
);

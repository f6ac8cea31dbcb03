// A scripted OpenAI-compatible Chat Completions server on loopback, so that tests run the real
// AI SDK provider code end to end. It answers in the OpenAI streaming format (text, reasoning
// and tool-call deltas, usage, [DONE]) following a script keyed on the request, like the fake
// the reference captures were recorded with.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  body: {
    model: string;
    messages: { role: string; content: unknown; tool_call_id?: string }[];
    tools?: { function: { name: string } }[];
    stream?: boolean;
    max_tokens?: number;
    [key: string]: unknown;
  };
  headers: http.IncomingHttpHeaders;
  /** Set when the client went away before the answer was complete. */
  aborted: boolean;
}

export type Plan =
  | { kind: "text"; text: string; reasoning?: string; delayMs?: number; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: "tool"; calls: { name: string; args: Record<string, unknown> }[] }
  | { kind: "error"; status: number; message: string };

export type Script = (request: ChatRequest) => Plan | undefined;

export interface ScriptedLlm {
  /** Base URL for a provider's `baseURL` option (ends in /v1). */
  url: string;
  requests: ChatRequest[];
  setScript(script: Script | undefined): void;
  lastUserText(request: ChatRequest): string;
  stop(): Promise<void>;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((c) => (c && typeof c === "object" && "text" in c ? String(c.text) : "")).join("");
  return "";
}

export function lastUserText(request: ChatRequest): string {
  const user = [...request.body.messages].reverse().find((m) => m.role === "user");
  return user ? textOf(user.content) : "";
}

function systemText(request: ChatRequest): string {
  return request.body.messages
    .filter((m) => m.role === "system")
    .map((m) => textOf(m.content))
    .join("\n");
}

/** The reference fake's behaviour, keyed on the last user text. */
export const defaultScript: Script = (request) => {
  const last = request.body.messages.at(-1);
  if (/title of a conversation/i.test(systemText(request))) return { kind: "text", text: "Fake Title" };
  if (/summar/i.test(systemText(request)) && !request.body.tools) return { kind: "text", text: "Fake summary of the conversation." };
  if (last?.role === "tool") return { kind: "text", text: `Tool finished: ${textOf(last.content)}` };
  const text = lastUserText(request);
  if (text.includes("please fail now")) return { kind: "error", status: 500, message: "fake upstream failure" };
  if (text.includes("think"))
    return { kind: "text", reasoning: "Let me think about this carefully.", text: "Thought about it: the answer is 42." };
  if (text.includes("slow bash"))
    return { kind: "tool", calls: [{ name: "bash", args: { command: "sleep 20 && echo done", description: "Wait" } }] };
  if (text.includes("use bash")) return { kind: "tool", calls: [{ name: "bash", args: { command: "echo hi", description: "Print hi" } }] };
  if (text.includes("write file"))
    return { kind: "tool", calls: [{ name: "write", args: { filePath: "hello.txt", content: "hello world\n" } }] };
  if (text.includes("read file")) return { kind: "tool", calls: [{ name: "read", args: { filePath: "hello.txt" } }] };
  if (text.includes("use task"))
    return {
      kind: "tool",
      calls: [{ name: "task", args: { description: "Say hello", prompt: "say hello from the subagent", subagent_type: "general" } }],
    };
  if (text.includes("ask question"))
    return {
      kind: "tool",
      calls: [
        {
          name: "question",
          args: {
            questions: [
              {
                question: "Which color?",
                header: "Color",
                options: [
                  { label: "Red", description: "warm" },
                  { label: "Blue", description: "cool" },
                ],
              },
            ],
          },
        },
      ],
    };
  if (text.includes("bad tool")) return { kind: "tool", calls: [{ name: "nonexistent_tool", args: { x: 1 } }] };
  if (text.includes("make todos"))
    return {
      kind: "tool",
      calls: [
        {
          name: "todowrite",
          args: {
            todos: [
              { content: "first thing", status: "in_progress", priority: "high" },
              { content: "second thing", status: "pending", priority: "low" },
            ],
          },
        },
      ],
    };
  return { kind: "text", text: `Hello from fake LLM. You said: ${text}` };
};

/** Splits text into chunks of about `size` characters, as a provider streams it. */
function chunks(text: string, size = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export async function startScriptedLlm(options: { script?: Script; chunkDelayMs?: number } = {}): Promise<ScriptedLlm> {
  let script = options.script;
  const requests: ChatRequest[] = [];
  let counter = 0;

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d));
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/v1/models") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ object: "list", data: [{ id: "fake-model", object: "model" }] }));
        return;
      }
      const request: ChatRequest = { body: JSON.parse(raw || "{}") as ChatRequest["body"], headers: req.headers, aborted: false };
      requests.push(request);
      // The request is fully read here; only the response tells when the client goes away.
      res.on("close", () => {
        if (!res.writableEnded) request.aborted = true;
      });
      const plan = script?.(request) ?? defaultScript(request)!;
      void answer(request, plan, res, `chatcmpl-fake-${++counter}`);
    });
  });

  async function answer(request: ChatRequest, plan: Plan, res: http.ServerResponse, id: string): Promise<void> {
    if (plan.kind === "error") {
      res.writeHead(plan.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: plan.message, type: "server_error", code: "fake_error" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const model = request.body.model;
    const send = (payload: object) => {
      if (!request.aborted)
        res.write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, ...payload })}\n\n`,
        );
    };
    const delta = (d: object, finish: string | null = null) => send({ choices: [{ index: 0, delta: d, finish_reason: finish }] });
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const delay = plan.kind === "text" && plan.delayMs !== undefined ? plan.delayMs : (options.chunkDelayMs ?? 0);

    delta({ role: "assistant", content: "" });
    let finish = "stop";
    if (plan.kind === "text") {
      for (const piece of plan.reasoning ? chunks(plan.reasoning, 8) : []) {
        delta({ reasoning_content: piece });
        await pause(delay);
      }
      const pieces = plan.delayMs !== undefined ? plan.text.split(/(?<= )/) : chunks(plan.text);
      for (const piece of pieces) {
        if (request.aborted) return;
        delta({ content: piece });
        await pause(delay);
      }
    } else {
      plan.calls.forEach((call, index) => {
        const args = JSON.stringify(call.args);
        delta({ tool_calls: [{ index, id: `call_${id}_${index}`, type: "function", function: { name: call.name, arguments: "" } }] });
        for (const piece of chunks(args, 16)) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
      });
      finish = "tool_calls";
    }
    const counts = (plan.kind === "text" && plan.usage) || { prompt_tokens: 100, completion_tokens: 20 };
    const usage = {
      ...counts,
      total_tokens: counts.prompt_tokens + counts.completion_tokens,
      prompt_length: JSON.stringify(request.body.messages).length,
    };
    // A client that asks for usage as a chunk of its own (stream_options) gets it so, as from
    // OpenAI; others (Mistral's API) get it with the last choice.
    if (request.body.stream_options) {
      delta({}, finish);
      send({ choices: [], usage });
    } else send({ choices: [{ index: 0, delta: {}, finish_reason: finish }], usage });
    if (!request.aborted) res.end("data: [DONE]\n\n");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setScript: (next) => (script = next),
    lastUserText,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

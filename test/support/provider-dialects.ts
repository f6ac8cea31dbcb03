// A loopback model server that answers, with a short streamed text, in the wire formats of the
// provider packages that do not speak OpenAI Chat Completions: Anthropic Messages, Google
// generateContent and OpenAI Responses. Tests point catalogue providers at it with a baseURL
// override, so each package's real request and stream code runs. It records every request.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface DialectRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface DialectServer {
  /** Base URL (no /v1 suffix): Anthropic and OpenAI take `${url}/v1`, Google `${url}/v1beta`. */
  url: string;
  requests: DialectRequest[];
  stop(): Promise<void>;
}

function sse(res: http.ServerResponse, events: { event?: string; data: object }[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const { event, data } of events) res.write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function anthropic(res: http.ServerResponse, text: string): void {
  sse(res, [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          id: "msg_fake",
          type: "message",
          role: "assistant",
          model: "fake",
          content: [],
          stop_reason: null,
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      },
    },
    { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } },
    { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } } },
    { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
    { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 5 } } },
    { event: "message_stop", data: { type: "message_stop" } },
  ]);
}

function google(res: http.ServerResponse, text: string): void {
  sse(res, [
    { data: { candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }] } },
    {
      data: {
        candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      },
    },
  ]);
}

function openaiResponses(res: http.ServerResponse, text: string): void {
  const item = { id: "msg_fake", type: "message", status: "in_progress", role: "assistant", content: [] };
  const done = { ...item, status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
  const response = {
    id: "resp_fake",
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    model: "fake",
    status: "in_progress",
    output: [],
  };
  sse(res, [
    { data: { type: "response.created", sequence_number: 0, response } },
    { data: { type: "response.output_item.added", sequence_number: 1, output_index: 0, item } },
    {
      data: {
        type: "response.output_text.delta",
        sequence_number: 2,
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        delta: text,
        logprobs: [],
      },
    },
    { data: { type: "response.output_item.done", sequence_number: 3, output_index: 0, item: done } },
    {
      data: {
        type: "response.completed",
        sequence_number: 4,
        response: { ...response, status: "completed", output: [done], usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 } },
      },
    },
  ]);
}

/** Answers every request with `reply(request)` in the dialect its path names. */
export async function startDialectServer(reply: (request: DialectRequest) => string): Promise<DialectServer> {
  const requests: DialectRequest[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d));
    req.on("end", () => {
      const request: DialectRequest = {
        path: req.url ?? "",
        headers: req.headers,
        body: JSON.parse(raw || "{}") as Record<string, unknown>,
      };
      requests.push(request);
      const text = reply(request);
      if (request.path.startsWith("/v1/messages")) anthropic(res, text);
      else if (request.path.includes(":streamGenerateContent")) google(res, text);
      else if (request.path.startsWith("/v1/responses")) openaiResponses(res, text);
      else
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: `no dialect at ${request.path}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

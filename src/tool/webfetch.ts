// webfetch: fetches a URL and answers its content as markdown (default), plain text or HTML.
import TurndownService from "turndown";
import { ToolError, type ToolDefinition } from "./tool.js";

const DEFAULT_TIMEOUT_S = 30;
const MAX_TIMEOUT_S = 120;
const MAX_BYTES = 5 * 1024 * 1024;

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n\n")
    .trim();
}

function htmlToMarkdown(html: string): string {
  const turndown = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  turndown.remove(["script", "style", "noscript"]);
  return turndown.turndown(html);
}

export const webfetchTool: ToolDefinition<{ url: string; format?: "text" | "markdown" | "html"; timeout?: number }> = {
  id: "webfetch",
  description: [
    "Fetches a web page (http or https) and answers its content: as markdown by default, or as plain text or raw HTML.",
    `Pages larger than ${MAX_BYTES / 1024 / 1024} MB are refused. \`timeout\` is in seconds (default ${DEFAULT_TIMEOUT_S}, at most ${MAX_TIMEOUT_S}).`,
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      url: { type: "string", description: "The URL to fetch" },
      format: { type: "string", enum: ["text", "markdown", "html"], description: "How to answer the content (default markdown)" },
      timeout: { type: "number", description: "Timeout in seconds" },
    },
    required: ["url"],
  },
  async execute(args, ctx) {
    if (!/^https?:\/\//i.test(args.url)) throw new ToolError("The URL must start with http:// or https://");
    const format = args.format ?? "markdown";
    await ctx.ask({ permission: "webfetch", patterns: [args.url], always: ["*"], metadata: { url: args.url, format } });
    const timeout = Math.min(args.timeout ?? DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S) * 1000;
    const response = await fetch(args.url, {
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout)]),
      headers: { accept: format === "html" ? "text/html" : "text/markdown, text/html;q=0.9, text/plain;q=0.8, */*;q=0.1" },
    }).catch((error: Error) => {
      throw new ToolError(`Could not fetch ${args.url}: ${error.message}`);
    });
    if (!response.ok) throw new ToolError(`Request failed with status ${response.status}`);
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > MAX_BYTES) throw new ToolError(`The response is too large (${length} bytes)`);
    const body = await response.arrayBuffer();
    if (body.byteLength > MAX_BYTES) throw new ToolError(`The response is too large (${body.byteLength} bytes)`);
    const text = new TextDecoder().decode(body);
    const type = response.headers.get("content-type") ?? "";
    const isHtml = type.includes("html");
    const output = format === "html" || !isHtml ? text : format === "text" ? htmlToText(text) : htmlToMarkdown(text);
    return { title: `${args.url} (${type.split(";")[0] || "unknown"})`, output, metadata: {} };
  },
};

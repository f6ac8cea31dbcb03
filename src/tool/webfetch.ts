// webfetch: fetches a URL and answers its content as markdown (default), plain text or HTML.
import type TurndownService from "turndown";
import { createRequire } from "node:module";
import { z } from "zod";
import { defineTool } from "./define.js";
import { ToolError } from "./tool.js";

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
  // turndown (and its DOM) loads with the first HTML page fetched.
  const Turndown = createRequire(import.meta.url)("turndown") as typeof TurndownService;
  const turndown = new Turndown({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  turndown.remove(["script", "style", "noscript"]);
  return turndown.turndown(html);
}

const description = `Fetches a web page (an http or https URL) and answers its content: as markdown by default, or as plain text or the raw HTML.

How to use it:
- The URL must be complete and valid, starting with http:// or https:// (http is upgraded where the site allows).
- Pick \`format\`: markdown (default) is easiest to read, text drops all markup, html keeps the page as it is.
- \`timeout\` is in seconds: ${DEFAULT_TIMEOUT_S} by default, at most ${MAX_TIMEOUT_S}.
- Pages over ${MAX_BYTES / 1024 / 1024} MB are refused; long answers are cut, with the whole page saved to a file you can search.
- It only reads: nothing on the site is changed.
- Use it for documentation, references and pages the user points you to; prefer a more specific tool when one is offered for the job.`;

export const webfetchTool = defineTool({
  id: "webfetch",
  description,
  parameters: z.object({
    url: z.string().describe("The URL to fetch"),
    format: z
      .enum(["text", "markdown", "html"])
      .default("markdown")
      .describe("How to answer the content: text, markdown or html (default markdown)"),
    timeout: z.number().describe(`Timeout in seconds (at most ${MAX_TIMEOUT_S})`).optional(),
  }),
  async run(args, ctx) {
    if (!/^https?:\/\//i.test(args.url)) throw new ToolError("The URL must start with http:// or https://");
    const format = args.format;
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
});

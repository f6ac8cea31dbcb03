// The web console in a real browser (Debian's chromium driven by playwright-core) against the
// real server and its demo script: the pool, a session with a streamed reply, a tool call, a
// permission answered from the inbox, a question, an abort, a reload; then again behind a
// password. No console errors and no failed API call are allowed on the way.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureConsoleBuilt } from "../support/console-build.js";
import { makeRepo } from "../support/git.js";
import { startTestServer, type TestServer } from "../support/server.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const SKIP_REASON = `skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`;
if (!haveChromium) console.warn(`test/e2e/console.test.ts ${SKIP_REASON}`);

const LAUNCH = {
  headless: true,
  executablePath: CHROMIUM,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
const WAIT = 15_000;

const TEAM_SCRIPT = `chunkDelayMs: 5
rules:
  - match: delegate
    steps:
      - tool: task
        input: { description: Look around, prompt: list the files, subagent_type: general }
      - text: The sub-agent is done.
  - steps:
      - text: "Sub-agent here: {{prompt}}. Ran \`ls\`:\\n\\n\`\`\`\\nREADME.md\\n\`\`\`\\n<b>not bold</b>"
`;

/** A page that records console errors, page errors and failed answers of the server. */
function watch(page: Page, origin: string, problems: string[]): Page {
  page.setDefaultTimeout(WAIT);
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.url().startsWith(origin) && response.status() >= 400) {
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });
  return page;
}

async function worktreeName(server: TestServer, dir: string, headers: Record<string, string> = {}): Promise<string> {
  const project = (await (await server.fetch(`/project/current?directory=${encodeURIComponent(dir)}`, { headers })).json()) as {
    worktree: string;
  };
  return path.basename(project.worktree);
}

async function newSession(page: Page, project: string): Promise<void> {
  await page.getByRole("heading", { name: project, level: 2 }).waitFor({ timeout: WAIT });
  await page.getByRole("button", { name: `New session in ${project}` }).click();
  await page.waitForURL(/\/s\/ses_/, { timeout: WAIT });
  await page.getByRole("textbox", { name: "Prompt" }).waitFor();
  await page.getByLabel("Model").selectOption("scripted/demo");
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Prompt" }).fill(text);
  await page.getByRole("textbox", { name: "Prompt" }).press("Enter");
}

const transcript = (page: Page) => page.getByRole("region", { name: "Transcript" });

describe.skipIf(!haveChromium)(haveChromium ? "the web console in chromium" : `the web console in chromium (${SKIP_REASON})`, () => {
  let browser: Browser;
  let server: TestServer;
  let dir: string;
  let project: string;
  let team: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    dir = makeRepo("console").dir;
    writeFileSync(path.join(dir, "visible-to-ls.txt"), "x");
    server = await startTestServer({ projectDirectory: dir });
    project = await worktreeName(server, dir);
    // A second project, whose own script delegates to a sub-agent.
    const second = makeRepo("console-team").dir;
    writeFileSync(
      path.join(second, "opencode.json"),
      JSON.stringify({ provider: { scripted: { options: { script: "./team.yaml" }, models: { team: {} } } }, model: "scripted/team" }),
    );
    writeFileSync(path.join(second, "team.yaml"), TEAM_SCRIPT);
    team = await worktreeName(server, second);
    browser = await chromium.launch(LAUNCH);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = watch(await context.newPage(), server.url, problems);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the pool with the server's project and an empty inbox, live", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: project, level: 2 }).waitFor({ timeout: WAIT });
    await page.getByText("Nothing is waiting for you.").waitFor();
    await page.getByRole("status").filter({ hasText: "live" }).waitFor({ timeout: WAIT });
    expect(await page.title()).toMatch(/agentpool/);
    expect(problems).toEqual([]);
  });

  it("starts a session and streams the reply of a prompt", async () => {
    await newSession(page, project);
    // Record the reply's length as it grows, to see that it streams in pieces.
    await page.evaluate(`(() => {
      const lengths = (window.lengths = []);
      const timer = setInterval(() => {
        const text = document.querySelector(".msg.assistant .part.text")?.textContent ?? "";
        if (text.length && lengths.at(-1) !== text.length) lengths.push(text.length);
        if (text.includes("a real model.")) clearInterval(timer);
      }, 10);
    })()`);
    await send(page, "hello there");
    await transcript(page).getByText('You said: "hello there"', { exact: false }).waitFor({ timeout: WAIT });
    await transcript(page).getByText("Configure a provider in opencode.json", { exact: false }).waitFor({ timeout: WAIT });
    const lengths = (await page.evaluate("window.lengths")) as number[];
    expect(lengths.length).toBeGreaterThan(2);
    expect(transcript(page).getByRole("article", { name: "Your message" })).toBeTruthy();
    await page.getByRole("heading", { name: "hello there", level: 1 }).waitFor({ timeout: WAIT });
  });

  it("shows a tool call with its input and output", async () => {
    await send(page, "run a command");
    const tool = transcript(page).locator("details.tool").filter({ hasText: "bash" });
    await tool.locator(".tool-state.completed").waitFor({ timeout: WAIT });
    expect(await tool.locator("pre").first().textContent()).toContain('"command": "ls -la"');
    expect(await tool.locator("pre.output").textContent()).toContain("visible-to-ls.txt");
    await transcript(page).getByText("Done. The output above is real").waitFor({ timeout: WAIT });
  });

  it("answers a permission from the pool's inbox", async () => {
    await send(page, "read a system file");
    await transcript(page).getByText("Reading a file outside the project needs your permission").waitFor({ timeout: WAIT });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Pool/ }).click();
    const card = page.getByRole("article", { name: "Permission: external_directory" });
    await card.waitFor({ timeout: WAIT });
    await page.locator(".status.waiting", { hasText: "needs permission" }).waitFor();
    await card.getByRole("button", { name: "Allow once" }).click();
    await page.getByText("Nothing is waiting for you.").waitFor({ timeout: WAIT });
    await page.getByRole("link", { name: "read a system file" }).or(page.getByRole("link", { name: "hello there" })).first().click();
    await page.waitForURL(/\/s\/ses_/);
    const read = transcript(page).locator("details.tool").filter({ has: page.locator(".tool-name", { hasText: /^read$/ }) });
    await read.locator(".tool-state.completed").waitFor({ timeout: WAIT });
    await transcript(page).getByText("That was the permission dialog.").waitFor({ timeout: WAIT });
  });

  it("answers a question inline in the session", async () => {
    await send(page, "ask me a question");
    const card = page.getByRole("article", { name: "Question: Flavour" });
    await card.waitFor({ timeout: WAIT });
    await card.getByText("Which flavour do you prefer?").waitFor();
    await card.getByRole("radio", { name: "Chocolate" }).check();
    await card.getByRole("button", { name: "Answer" }).click();
    await transcript(page).getByText("Thanks for answering.").waitFor({ timeout: WAIT });
    await card.waitFor({ state: "detached" });
    const tool = transcript(page).locator("details.tool").filter({ has: page.locator(".tool-name", { hasText: /^question$/ }) });
    expect(await tool.locator("pre.output").textContent()).toContain("Chocolate");
  });

  it("aborts a slow reply, in the session and from the pool", async () => {
    await send(page, "slow");
    await transcript(page).getByText("Taking my time").waitFor({ timeout: WAIT });
    await page.locator(".session-head .status.busy").waitFor();
    await page.getByRole("button", { name: "Abort", exact: true }).click();
    await transcript(page).getByText("Interrupted.").waitFor({ timeout: WAIT });
    await page.locator(".session-head .status.idle").waitFor({ timeout: WAIT });
    expect(await transcript(page).textContent()).not.toContain("Finished the slow reply");

    await send(page, "slow again");
    await transcript(page).getByText("Taking my time").nth(1).waitFor({ timeout: WAIT });
    const session = page.url();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Pool/ }).click();
    await page.getByRole("button", { name: "Abort hello there" }).click();
    await page.getByRole("button", { name: "Abort hello there" }).waitFor({ state: "detached", timeout: WAIT });
    await page.goBack();
    expect(page.url()).toBe(session);
    await transcript(page).getByText("Interrupted.").nth(1).waitFor({ timeout: WAIT });
    expect(await transcript(page).textContent()).not.toContain("Finished the slow reply");
  });

  it("shows the same transcript after a reload", async () => {
    const messages = () => transcript(page).getByRole("article").allTextContents();
    const before = await messages();
    expect(before.length).toBeGreaterThanOrEqual(10);
    await page.reload();
    await transcript(page).getByText("Interrupted.").nth(1).waitFor({ timeout: WAIT });
    expect(await messages()).toEqual(before);
  });

  it("summarizes, then forks the session", async () => {
    await page.getByRole("button", { name: "Summarize" }).click();
    await transcript(page).getByText("Summary: the conversation so far (scripted)", { exact: false }).waitFor({ timeout: WAIT });
    await page.getByRole("button", { name: "Summarize" }).and(page.locator(":enabled")).waitFor();
    const original = page.url();
    await page.getByRole("button", { name: "Fork" }).click();
    await page.waitForURL((url) => url.href !== original && url.pathname.startsWith("/s/ses_"), { timeout: WAIT });
    await transcript(page).getByText("Thanks for answering.").waitFor({ timeout: WAIT });
    await page.getByRole("heading", { name: /fork/i, level: 1 }).waitFor({ timeout: WAIT });
  });

  it("shows a second project, and a sub-agent's session linked from its parent", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Pool/ }).click();
    await page.getByRole("heading", { name: team, level: 2 }).waitFor({ timeout: WAIT });
    await page.getByRole("button", { name: `New session in ${team}` }).click();
    await page.waitForURL(/\/s\/ses_/);
    // No model picked: the project's configured model (its own script) answers.
    await send(page, "delegate the work");
    await transcript(page).getByText("The sub-agent is done.").waitFor({ timeout: WAIT });
    const children = page.getByRole("navigation", { name: "Sub-agent sessions" });
    await children.getByRole("link").waitFor();
    await transcript(page).getByRole("link", { name: "Open the sub-agent session" }).click();
    await transcript(page).getByText("Sub-agent here: list the files").waitFor({ timeout: WAIT });
    // A little Markdown: inline code and a fenced block; markup in the text stays text.
    await transcript(page).locator(".part.text code", { hasText: "ls" }).waitFor();
    expect(await transcript(page).locator(".part.text pre.code").textContent()).toBe("README.md");
    await transcript(page).getByText("<b>not bold</b>").waitFor();
    await page.getByRole("link", { name: "delegate the work" }).waitFor();
  });

  it("names every control, works from the keyboard, fits a phone, and follows a dark colour scheme", async () => {
    const unnamed = `[...document.querySelectorAll("button, select, textarea, input, a[href], summary")]
      .filter((el) => !(el.getAttribute("aria-label") || el.textContent.trim() || (el.labels && el.labels.length)))
      .map((el) => el.outerHTML.slice(0, 80))`;
    expect(await page.evaluate(unnamed)).toEqual([]);
    // Keyboard: from the prompt box, Tab reaches the agent picker, the model picker and Send.
    await page.getByRole("textbox", { name: "Prompt" }).fill("keyboard");
    await page.getByRole("textbox", { name: "Prompt" }).focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.closest('label')?.textContent")).toMatch(/^Agent/);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Send");
    await page.getByRole("textbox", { name: "Prompt" }).fill("");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    expect(await page.evaluate("getComputedStyle(document.documentElement).backgroundColor")).toBe("rgb(20, 22, 26)");
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: project, level: 2 }).waitFor();
    expect(await page.evaluate(unnamed)).toEqual([]);
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("lists the configured agents with their models", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
    await page.getByRole("heading", { name: "build", level: 2 }).waitFor({ timeout: WAIT });
    await page.getByRole("heading", { name: "plan", level: 2 }).waitFor();
    const models = page.getByRole("region", { name: "Models" });
    await models.getByText("scripted/demo", { exact: true }).waitFor();
  });

  it("had no console errors and no failed API calls", () => {
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!haveChromium)(
  haveChromium ? "the web console behind OPENCODE_SERVER_PASSWORD, with --cors" : `the web console with a password (${SKIP_REASON})`,
  () => {
    let browser: Browser;
    let server: TestServer;
    let dir: string;
    const problems: string[] = [];

    beforeAll(async () => {
      ensureConsoleBuilt();
      dir = makeRepo("console-auth").dir;
      server = await startTestServer({
        projectDirectory: dir,
        credentials: { username: "opencode", password: "pool-secret" },
        corsOrigins: ["https://console.example.com"],
      });
      browser = await chromium.launch(LAUNCH);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it("is refused without credentials", async () => {
      const context = await browser.newContext();
      const res = await context.request.get(`${server.url}/`, { headers: { accept: "text/html" } });
      expect(res.status()).toBe(401);
      expect(res.headers()["www-authenticate"]).toBe('Basic realm="Secure Area"');
      await context.close();
    });

    it("works with the browser's basic-auth credentials, the event stream included", async () => {
      const context = await browser.newContext({ httpCredentials: { username: "opencode", password: "pool-secret" } });
      const page = watch(await context.newPage(), server.url, problems);
      await page.goto(`${server.url}/`);
      const project = await worktreeName(server, dir, { authorization: `Basic ${Buffer.from("opencode:pool-secret").toString("base64")}` });
      await page.getByRole("status").filter({ hasText: "live" }).waitFor({ timeout: WAIT });
      await newSession(page, project);
      await send(page, "hello with a password");
      // The reply arrives through GET /global/event, so the stream passed auth too.
      await transcript(page).getByText('You said: "hello with a password"', { exact: false }).waitFor({ timeout: WAIT });
      await page.reload();
      await transcript(page).getByText('You said: "hello with a password"', { exact: false }).waitFor({ timeout: WAIT });
      expect(problems).toEqual([]);
      await context.close();
    });
  },
);

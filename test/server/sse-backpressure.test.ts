// A subscriber that stops reading its event stream is dropped once the server holds more than
// the stream's buffer limit for it; the subscribers that keep reading get every event meanwhile.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sseLimits } from "../../src/server/sse.js";
import { openEventReader, type EventReader } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/server.js";

type Frame = { type?: string; properties?: { server?: string } };

let server: TestServer;
const defaultLimit = sseLimits.maxBufferedBytes;

beforeAll(async () => {
  sseLimits.maxBufferedBytes = 256 * 1024;
  server = await startTestServer();
});
afterAll(async () => {
  sseLimits.maxBufferedBytes = defaultLimit;
  await server.close();
});

/** A raw client of GET /event that reads the answer's start, then stops reading. */
async function stalledSubscriber(url: string): Promise<{ socket: net.Socket; ended: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.write(`GET /event HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  let received = "";
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      received += chunk.toString("utf8");
      if (received.includes("server.connected")) {
        socket.off("data", onData);
        socket.pause();
        resolve();
      }
    };
    socket.on("data", onData);
  });
  expect(received).toMatch(/^HTTP\/1.1 200/);
  // Once resumed, the client reads what the server had sent before dropping it, then the end.
  const ended = new Promise<string>((resolve) => {
    socket.on("error", () => resolve("reset"));
    socket.on("close", () => resolve("closed"));
  });
  return { socket, ended };
}

describe("event stream back-pressure", () => {
  it("drops a subscriber that stopped reading and keeps delivering to the others", async () => {
    const readers: EventReader[] = [];
    for (let i = 0; i < 3; i++) {
      const reader = await openEventReader(`${server.url}/event`, "event");
      await reader.next(); // server.connected
      readers.push(reader);
    }
    const stalled = await stalledSubscriber(server.url);
    await expect.poll(() => server.services.bus.subscriberCount).toBe(4);

    // 64 KiB events, each one published after every reading subscriber got the last one, until
    // the server gives up on the stalled one (its socket buffers fill first, then the stream's).
    const big = "x".repeat(64 * 1024);
    const directory = server.services.config.projectDirectory;
    let sent = 0;
    while (server.services.bus.subscriberCount === 4 && sent < 1_000) {
      const name = `server-${sent}-${big}`;
      server.services.bus.publish({ directory }, "mcp.tools.changed", { server: name });
      sent++;
      for (const reader of readers) {
        const frame = await reader.next<Frame>((f) => f.type === "mcp.tools.changed", 10_000);
        expect(frame.properties?.server).toBe(name);
      }
    }
    expect(server.services.bus.subscriberCount).toBe(3);
    // The buffer limit, not the socket buffers alone, decided: more than the limit went out.
    expect(sent * big.length).toBeGreaterThan(sseLimits.maxBufferedBytes);

    const dropped = server.logLines().filter((line) => line.msg === "event stream dropped: the client stopped reading");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ stream: `/event ${directory}`, limit: 256 * 1024 });

    // The stalled client, reading again, finds its connection closed.
    stalled.socket.resume();
    await expect(stalled.ended).resolves.toMatch(/closed|reset/);

    // The others still get what comes next.
    server.services.bus.publish({ directory }, "mcp.tools.changed", { server: "after" });
    for (const reader of readers) {
      const frame = await reader.next<Frame>((f) => f.type === "mcp.tools.changed" && f.properties?.server === "after");
      expect(frame.properties?.server).toBe("after");
      reader.close();
    }
  });
});

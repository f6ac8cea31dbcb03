// A tiny language server for the tests (stdio, Content-Length framed JSON-RPC): it answers
// initialize, and workspace/symbol with the top-level `function`s of the .ts files in its root.
const fs = require("fs");
const path = require("path");
let buffer = Buffer.alloc(0);
let root = process.cwd();
const send = (m) => {
  const b = JSON.stringify({ jsonrpc: "2.0", ...m });
  process.stdout.write("Content-Length: " + Buffer.byteLength(b) + "\r\n\r\n" + b);
};
function symbols(query) {
  const found = [];
  for (const name of fs.readdirSync(root).filter((n) => n.endsWith(".ts"))) {
    fs.readFileSync(path.join(root, name), "utf8").split("\n").forEach((line, i) => {
      const m = /function (\w+)/.exec(line);
      if (m && m[1].toLowerCase().includes(query.toLowerCase()))
        found.push({ name: m[1], kind: 12, location: { uri: "file://" + path.join(root, name), range: { start: { line: i, character: m.index }, end: { line: i, character: m.index + m[0].length } } } });
    });
  }
  return found;
}
process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
    buffer = buffer.subarray(end + 4 + length);
    if (message.method === "initialize") {
      root = new URL(message.params.rootUri).pathname;
      send({ id: message.id, result: { capabilities: { workspaceSymbolProvider: true } } });
    }
    if (message.method === "workspace/symbol") send({ id: message.id, result: symbols(message.params.query) });
    if (message.method === "shutdown") send({ id: message.id, result: null });
    if (message.method === "exit") process.exit(0);
  }
});

// Child of tests/answers.test.mjs: answers of 300 MB from a loopback server of its own (a 200
// streamed without Content-Length, a 200 declaring it, a 502) and through a custom fetch whose
// Response-like answer has no body stream; prints each outcome and the SDK's wasm memory
// (WebAssembly.Instance is hooked before the package loads, as in tests/hostile/leak-child.mjs).
import { createServer } from "node:http";

const instances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct: (target, args) => {
    const i = Reflect.construct(target, args);
    instances.push(i);
    return i;
  },
});
const { TalkChannelClient } = await import(process.argv[2]);
const memory = () => instances.map((i) => i.exports.memory?.buffer.byteLength ?? 0).reduce((a, b) => a + b, 0);

const MB = 1024 * 1024;
const TOTAL = 300 * MB;
const piece = Buffer.alloc(MB, "x");
piece.write('{"user_id":1,"channels":[],"pad":"');
let written = 0;
let mode = "";
const server = createServer((_req, res) => {
  written = 0;
  if (mode === "declared") {
    // Declares 300 MB, sends 1 MB, then never more: only a client that refuses before reading
    // answers quickly (one that reads would wait for its timeout).
    res.writeHead(200, { "content-type": "application/json", "content-length": String(TOTAL) });
    res.write(piece);
    written += piece.length;
    return;
  }
  res.writeHead(mode === "error" ? 502 : 200, { "content-type": "application/json" });
  const pump = () => {
    while (written < TOTAL) {
      written += piece.length;
      if (!res.write(piece)) return res.once("drain", pump);
    }
    res.end();
  };
  res.on("close", () => res.removeAllListeners("drain"));
  pump();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const quiet = { logLevel: "off", maxRetries: 0, timeoutMs: 5000 };
const call = (client) =>
  client.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }).then(
    () => ({ ok: true }),
    (e) => ({ name: e.name, status: e.status, message: e.message, snippet: e.bodySnippet?.slice(0, 40), code: e.code }),
  );

const small = new TalkChannelClient({ adminKey: "admin0key0huge0tests", fetch: async () => Response.json({ user_id: 1, channels: [] }), ...quiet });
await call(small);
const before = memory();
const out = { before };
for (const m of ["stream", "declared", "error"]) {
  mode = m;
  const t0 = performance.now();
  out[m] = await call(new TalkChannelClient({ adminKey: "admin0key0huge0tests", baseUrl, ...quiet }));
  out[m].ms = Math.round(performance.now() - t0);
  out[m].serverWroteMB = Math.round(written / MB);
}
// A Response-like object without a body stream: only text(), 300 MB of it.
const huge = `{"user_id":1,"channels":[],"pad":"${"x".repeat(TOTAL)}"}`;
const textOnly = async () => ({ status: 200, headers: new Headers(), text: async () => huge });
out.textOnly = await call(new TalkChannelClient({ adminKey: "admin0key0huge0tests", fetch: textOnly, ...quiet }));
out.after = memory();
out.normal = await call(small);
console.log(JSON.stringify(out));
server.closeAllConnections();
server.close();

// The webhook on Node's `(req, res)`: createNodeWebhookHandler / toNodeHandler behind a real
// node:http server, a real Express app and a real Fastify app, over loopback sockets. Deliveries
// come from the emulator's deliverWebhook (exactly what Kakao sends), from fetch, and from raw
// `net` sockets (a 20 KiB body, a body that never comes, a client that hangs up mid-body) so
// the status line, the headers and the closing of the connection are seen as the client sees
// them.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import express from "express";
import Fastify from "fastify";
import { createChannelWebhookHandler, createNodeWebhookHandler, toNodeHandler } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const AT = new Date("2024-03-04T05:06:07Z");
const servers = [];
after(async () => {
  for (const close of servers) await close();
});

function emulator() {
  const emu = createKakaoEmulator({ now: () => AT });
  emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
  return emu;
}

/** The options every case uses, recording onEvent's and onError's calls in `log`. */
function recorder(emu, extra = {}) {
  const log = { events: [], errors: [] };
  const options = {
    adminKey: emu.adminKey,
    onEvent: (e) => {
      log.events.push({ ...e });
    },
    onError: (err, event, stage) => {
      log.errors.push({ err, event, stage });
    },
    ...extra,
  };
  return { log, options };
}

async function listenHttp(listener) {
  const server = createServer(listener);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  servers.push(() => new Promise((r) => server.close(r)));
  server.closeIdleConnections?.();
  return { port: server.address().port, url: `http://127.0.0.1:${server.address().port}` };
}

async function listenExpress(app) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  servers.push(() => new Promise((r) => server.close(r)));
  return { port: server.address().port, url: `http://127.0.0.1:${server.address().port}` };
}

async function listenFastify(app) {
  await app.listen({ port: 0, host: "127.0.0.1" });
  servers.push(() => app.close());
  const { port } = app.server.address();
  return { port, url: `http://127.0.0.1:${port}` };
}

/** The chunks of a chunked body, joined; undefined while its last chunk has not arrived. */
function unchunk(text) {
  let out = "";
  let at = 0;
  for (;;) {
    const eol = text.indexOf("\r\n", at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(text.slice(at, eol), 16);
    if (size === 0) return out;
    if (text.length < eol + 2 + size + 2) return undefined;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/**
 * One HTTP/1.1 response parsed from raw text: status, lowercase headers, body (de-chunked);
 * `complete` tells whether the whole body has arrived.
 */
function parseResponse(text) {
  const end = text.indexOf("\r\n\r\n");
  assert.ok(end > 0, `no complete response head in ${JSON.stringify(text)}`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  const rest = text.slice(end + 4);
  const chunked = headers["transfer-encoding"] === "chunked";
  const body = chunked ? unchunk(rest) : rest.slice(0, Number(headers["content-length"] ?? rest.length));
  const complete = chunked ? body !== undefined : rest.length >= Number(headers["content-length"] ?? 0);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]), headers, body, complete };
}

/**
 * Sends `head` (and `body`) on a raw socket and collects what comes back until the server closes
 * the connection (`closed`: "end", the server's FIN, or the socket error's code) or, with
 * `untilClosed: false`, until the response is complete (`closed`: undefined).
 */
function rawExchange(port, head, body = "", { untilClosed = true } = {}) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ ...parseResponse(data), closed });
    };
    socket.setEncoding("latin1");
    socket.on("data", (d) => {
      data += d;
      if (!untilClosed && data.includes("\r\n\r\n") && parseResponse(data).complete) finish(undefined);
    });
    socket.on("end", () => finish("end"));
    socket.on("error", (err) => finish(err.code));
    socket.on("close", () => finish("close"));
    socket.write(head + body);
  });
}

function kakaoHead(emu, path, { contentLength, adminKey = emu.adminKey, resourceId = "raw-1" } = {}) {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: KakaoAK ${adminKey}\r\n` +
    `X-Kakao-Resource-ID: ${resourceId}\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`
  );
}

const BODY = JSON.stringify({
  event: "added",
  id: "77",
  id_type: "app_user_id",
  channel_public_id: "_ZeUTxl",
  channel_uuid: "@테스트",
  updated_at: "2024-03-04T05:06:07Z",
});
const bodyBytes = Buffer.from(BODY, "utf8");

function expectedEvent(resourceId, userId = "77", event = "added") {
  return { event, userId, idType: "app_user_id", channelPublicId: "_ZeUTxl", channelUuid: "@테스트", updatedAt: AT, resourceId };
}

/** Waits (bounded) until `cond()` holds: for effects that happen after the response was sent. */
async function until(cond, what) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

/**
 * The cases every server shape must pass, at `url`/`port` + `path`, with `log` its recorder.
 * `name` prefixes the test names.
 */
function commonCases(name, start) {
  test(`${name}: a good delivery is 200 with an empty body, onEvent once with the exact event; a redelivery is 200 without onEvent`, async () => {
    const { emu, log, url, path } = await start();
    const d = await emu.deliverWebhook(`${url}${path}`, { event: "blocked", userId: "9223372036854775807", channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 200);
    assert.equal(d.delivered, true);
    assert.equal(d.responseBody, "");
    assert.deepEqual(log.events, [expectedEvent(d.resourceId, "9223372036854775807", "blocked")]);
    const again = await emu.deliverWebhook(`${url}${path}`, { event: "blocked", userId: "9223372036854775807", channelPublicId: "_ZeUTxl" }, { resourceId: d.resourceId });
    assert.equal(again.status, 200);
    assert.equal(log.events.length, 1);
    assert.deepEqual(log.errors, []);
  });

  test(`${name}: a wrong key is 401 { reason: "mismatch" }, the body unread and the connection closed`, async () => {
    const { emu, log, url, port, path } = await start();
    const d = await emu.deliverWebhook(`${url}${path}`, { userId: 77, channelPublicId: "_ZeUTxl" }, { adminKey: "wrong0key0000000000000000000000" });
    assert.equal(d.status, 401);
    assert.deepEqual(JSON.parse(d.responseBody), { error: "unauthorized", reason: "mismatch" });
    const r = await rawExchange(port, kakaoHead(emu, path, { contentLength: bodyBytes.length, adminKey: "nope" }), BODY);
    assert.equal(r.status, 401);
    assert.equal(r.headers.connection, "close");
    assert.equal(r.closed, "end");
    assert.deepEqual(log.events, []);
  });

  test(`${name}: a 20 KiB body is 413 and the server closes the connection`, async () => {
    const { emu, log, port, path } = await start();
    const big = `{"event":"added","pad":"${"x".repeat(20 * 1024)}"}`;
    const r = await rawExchange(port, kakaoHead(emu, path, { contentLength: big.length }), big);
    assert.equal(r.status, 413);
    assert.deepEqual(JSON.parse(r.body), { error: "webhook body too large", field: "body", rule: "webhook.body_too_large" });
    assert.equal(r.headers.connection, "close");
    assert.equal(r.closed, "end");
    assert.deepEqual(log.events, []);
  });

  test(`${name}: a body that never comes is 408 within the body deadline, and the connection is closed`, async () => {
    const { emu, log, port, path } = await start({ bodyTimeoutMs: 300 });
    const t0 = Date.now();
    const r = await rawExchange(port, kakaoHead(emu, path, { contentLength: 200 })); // the headers, then nothing
    assert.equal(r.status, 408);
    assert.deepEqual(JSON.parse(r.body), { error: "webhook body not received in time", field: "body", rule: "webhook.body_timeout" });
    assert.equal(r.headers.connection, "close");
    assert.equal(r.closed, "end");
    assert.ok(Date.now() - t0 < 2000, `answered after ${Date.now() - t0} ms`);
    assert.deepEqual(log.events, []);
  });

  test(`${name}: GET is 405 with Allow: POST`, async () => {
    const { url, path, log } = await start();
    const res = await fetch(`${url}${path}`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
    assert.equal(await res.text(), "");
    assert.deepEqual(log.events, []);
  });

  test(`${name}: a fully read body keeps the connection alive (two deliveries on one socket)`, async () => {
    const { emu, log, port, path } = await start();
    const socket = connect(port, "127.0.0.1");
    socket.setEncoding("latin1");
    let data = "";
    socket.on("data", (d) => {
      data += d;
    });
    try {
      for (const id of ["ka-1", "ka-2"]) {
        data = "";
        socket.write(kakaoHead(emu, path, { contentLength: bodyBytes.length, resourceId: id }));
        socket.write(bodyBytes);
        await until(() => data.includes("\r\n\r\n"), "a response");
        const r = parseResponse(data);
        assert.equal(r.status, 200);
        assert.notEqual(r.headers.connection, "close");
      }
    } finally {
      socket.destroy();
    }
    assert.deepEqual(log.events, [expectedEvent("ka-1"), expectedEvent("ka-2")]);
  });
}

describe("node:http + createNodeWebhookHandler", () => {
  commonCases("node:http", async (extra) => {
    const emu = emulator();
    const { log, options } = recorder(emu, extra);
    const { url, port } = await listenHttp(createNodeWebhookHandler(options));
    return { emu, log, url, port, path: "/kakao/webhook" };
  });

  test("a client hanging up mid-body: the handler's stream fails (400 webhook.body), no crash, the next delivery is served", async () => {
    const emu = emulator();
    const { log, options } = recorder(emu);
    const inner = createChannelWebhookHandler(options);
    const statuses = [];
    const { port, url } = await listenHttp(
      toNodeHandler(async (request) => {
        const res = await inner(request);
        statuses.push([res.status, res.status === 400 ? (await res.clone().json()).rule : undefined]);
        return res;
      }),
    );
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(kakaoHead(emu, "/kakao/webhook", { contentLength: 500 }));
    socket.write('{"event":"added"');
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await until(() => statuses.length === 1, "the handler's answer to the aborted request");
    assert.deepEqual(statuses, [[400, "webhook.body"]]);
    const d = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 200);
    assert.deepEqual(log.events, [expectedEvent(d.resourceId)]);
  });

  test("toNodeHandler writes any Response back: status text, repeated Set-Cookie, a streamed body, the request as a fetch Request", async () => {
    let seen;
    const { url } = await listenHttp(
      toNodeHandler(async (request) => {
        seen = { method: request.method, url: request.url, auth: request.headers.get("x-two"), body: await request.text() };
        const headers = new Headers({ "content-type": "text/plain" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        const body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("chunk1,"));
            c.enqueue(new TextEncoder().encode("chunk2"));
            c.close();
          },
        });
        return new Response(body, { status: 202, statusText: "Taken", headers });
      }),
    );
    const res = await fetch(`${url}/any/path?q=1`, { method: "PUT", headers: [["x-two", "a"], ["x-two", "b"]], body: "hello" });
    assert.equal(res.status, 202);
    assert.equal(res.statusText, "Taken");
    assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(await res.text(), "chunk1,chunk2");
    assert.deepEqual(seen, { method: "PUT", url: `${url}/any/path?q=1`, auth: "a, b", body: "hello" });
  });

  test("toNodeHandler: a handler that rejects or resolves to no Response is a 500, told to onError", async () => {
    const errors = [];
    const onError = (err, event, stage) => errors.push([err.message, event, stage]);
    const a = await listenHttp(toNodeHandler(async () => Promise.reject(new Error("boom")), { onError }));
    const b = await listenHttp(toNodeHandler(async () => "not a response", { onError }));
    for (const { url } of [a, b]) {
      const res = await fetch(`${url}/x`, { method: "POST", body: "{}" });
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: "the delivery could not be handled" });
    }
    assert.deepEqual(errors, [
      ["boom", undefined, "parse"],
      ["the handler did not resolve to a Response", undefined, "parse"],
    ]);
  });

  test("createNodeWebhookHandler refuses invalid options as createChannelWebhookHandler does", () => {
    assert.throws(() => createNodeWebhookHandler({ adminKey: "", onEvent() {} }), { name: "ValidationError" });
    assert.throws(() => createNodeWebhookHandler({ adminKey: "x".repeat(32) }), (e) => e.constructor.name === "ValidationError" && e.field === "onEvent");
  });
});

describe("Express 5 + createNodeWebhookHandler", () => {
  commonCases("express", async (extra) => {
    const emu = emulator();
    const { log, options } = recorder(emu, extra);
    const app = express();
    app.all("/kakao/webhook", createNodeWebhookHandler(options));
    app.use(express.json());
    const { url, port } = await listenExpress(app);
    return { emu, log, url, port, path: "/kakao/webhook" };
  });

  test("behind express.json(): a delivery is 500 naming the fix, told to onError; a wrong key is still 401 and GET 405", async () => {
    const emu = emulator();
    const { log, options } = recorder(emu);
    const app = express();
    app.use(express.json());
    app.all("/kakao/webhook", createNodeWebhookHandler(options));
    const { url } = await listenExpress(app);
    const d = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 500);
    const { error } = JSON.parse(d.responseBody);
    assert.match(error, /already parsed into an object/);
    assert.match(error, /express\.raw\(\{ type: "\*\/\*" \}\)/);
    assert.equal(log.errors.length, 1);
    assert.ok(log.errors[0].err instanceof TypeError);
    assert.equal(log.errors[0].err.message, error);
    assert.deepEqual([log.errors[0].event, log.errors[0].stage], [undefined, "parse"]);
    const bad = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" }, { adminKey: "wrong0key0000000000000000000000" });
    assert.equal(bad.status, 401);
    assert.equal((await fetch(`${url}/kakao/webhook`)).status, 405);
    assert.deepEqual(log.events, []);
    assert.equal(log.errors.length, 1);
  });

  test("after a middleware that read the stream and left no req.body: 500 naming the fix, told to onError", async () => {
    const emu = emulator();
    const { log, options } = recorder(emu);
    const app = express();
    app.use((req, _res, next) => {
      req.on("end", () => next());
      req.resume();
    });
    app.post("/kakao/webhook", createNodeWebhookHandler(options));
    const { url } = await listenExpress(app);
    const d = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 500);
    assert.match(JSON.parse(d.responseBody).error, /already read by another middleware/);
    assert.deepEqual(
      log.errors.map((e) => [e.err.message, e.stage]),
      [[JSON.parse(d.responseBody).error, "parse"]],
    );
    assert.deepEqual(log.events, []);
  });

  test("with express.raw({ type: '*/*' }): the Buffer is the body (200, exact event); 20 KiB of it is 413 from the same cap", async () => {
    const emu = emulator();
    const { log, options } = recorder(emu);
    const app = express();
    app.post("/kakao/webhook", express.raw({ type: "*/*" }), createNodeWebhookHandler(options));
    const { url, port } = await listenExpress(app);
    const d = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 200);
    assert.deepEqual(log.events, [expectedEvent(d.resourceId)]);
    const big = `{"event":"added","pad":"${"x".repeat(20 * 1024)}"}`;
    const r = await rawExchange(port, kakaoHead(emu, "/kakao/webhook", { contentLength: big.length }), big, { untilClosed: false });
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).rule, "webhook.body_too_large");
    assert.notEqual(r.headers.connection, "close"); // express.raw read the whole body
    assert.equal(log.events.length, 1);
  });

  test("with express.text({ type: '*/*' }): the string is the body", async () => {
    const emu = emulator();
    const { log, options } = recorder(emu);
    const app = express();
    app.post("/kakao/webhook", express.text({ type: "*/*" }), createNodeWebhookHandler(options));
    const { url } = await listenExpress(app);
    const d = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 200);
    assert.deepEqual(log.events, [expectedEvent(d.resourceId)]);
  });
});

describe("Fastify 5 + createNodeWebhookHandler", () => {
  commonCases("fastify", async (extra) => {
    const emu = emulator();
    const { log, options } = recorder(emu, extra);
    const app = Fastify();
    app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
      scope.all("/kakao/webhook", createNodeWebhookHandler(options));
    });
    const { url, port } = await listenFastify(app);
    return { emu, log, url, port, path: "/kakao/webhook" };
  });

  test("with Fastify's default JSON parser: 500 naming the fix; with parseAs: 'buffer' the Buffer is the body", async () => {
    const emu = emulator();
    const { log, options } = recorder(emu);
    const app = Fastify();
    app.post("/parsed", createNodeWebhookHandler(options));
    app.register(async (scope) => {
      scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
      scope.post("/buffer", createNodeWebhookHandler(options));
    });
    const { url } = await listenFastify(app);
    const parsed = await emu.deliverWebhook(`${url}/parsed`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(parsed.status, 500);
    assert.match(JSON.parse(parsed.responseBody).error, /parseAs: "buffer"/);
    assert.equal(log.errors.length, 1);
    assert.deepEqual(log.events, []);
    const buffered = await emu.deliverWebhook(`${url}/buffer`, { userId: 77, channelPublicId: "_ZeUTxl" });
    assert.equal(buffered.status, 200);
    assert.deepEqual(log.events, [expectedEvent(buffered.resourceId)]);
  });
});

describe("packaging", () => {
  test("webhook-node.js imports no Node built-in (the workerd, Deno and web entries export it)", () => {
    const src = readFileSync(join(root, "pkg", "webhook-node.js"), "utf8");
    assert.deepEqual([...src.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]), ["./webhook.js"]);
    for (const entry of ["workerd.js", "deno.js", "web.js", "exports.js"]) {
      assert.ok(!readFileSync(join(root, "pkg", entry), "utf8").includes("node:"), entry);
    }
  });

  test("the Node examples ship in the package (examples/ in `files`), identical to examples-node/", () => {
    const manifest = JSON.parse(readFileSync(join(root, "pkg", "package.json"), "utf8"));
    assert.ok(manifest.files.includes("examples/"));
    for (const f of ["quickstart.mjs", "webhook-server.mjs", "webhook-express.mjs", "webhook-fastify.mjs"]) {
      assert.equal(readFileSync(join(root, "pkg", "examples", f), "utf8"), readFileSync(join(root, "examples-node", f), "utf8"), f);
    }
  });

  test("types (tsc --strict): the listener is node:http's createServer listener and a Fastify route; a number is no request", () => {
    const dir = join(root, "tests", ".scratch", "node-adapter-types");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "check.ts"),
      `import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Fastify from "fastify";
import { createChannelWebhookHandler, createNodeWebhookHandler, toNodeHandler, type NodeWebhookListener } from "../../../pkg/index.js";

const listener: NodeWebhookListener = createNodeWebhookHandler({ adminKey: "k", onEvent: (e) => void e.userId });
createServer(listener);
createServer((req: IncomingMessage, res: ServerResponse) => listener(req, res));
const wrapped: Promise<void> = toNodeHandler(createChannelWebhookHandler({ adminKey: "k", onEvent() {} }), {
  onError: (_err, event, stage) => void [event?.userId, stage],
})({ raw: {} as IncomingMessage, body: undefined }, { raw: {} as ServerResponse, hijack() {} });
void wrapped;
const app = Fastify();
app.post("/kakao/webhook", listener);
app.post("/x", (request, reply) => listener(request, reply));
// @ts-expect-error not a request
void listener(42, {} as ServerResponse);
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM"],
          types: ["node"],
          typeRoots: [join(root, "node_modules", "@types")],
          skipLibCheck: true,
        },
        files: ["check.ts"],
      }),
    );
    try {
      execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    } catch (err) {
      assert.fail(`tsc: ${err.stdout}${err.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const example of ["webhook-server.mjs", "webhook-express.mjs", "webhook-fastify.mjs"]) {
    test(`examples/${example}, run in place from node_modules/kakao-talk-channel/, receives deliveries`, async () => {
      // An app folder whose node_modules holds the built package and the frameworks.
      const app = join(root, "tests", ".scratch", `node-example-${example}`);
      rmSync(app, { recursive: true, force: true });
      mkdirSync(join(app, "node_modules"), { recursive: true });
      cpSync(join(root, "pkg"), join(app, "node_modules", "kakao-talk-channel"), { recursive: true });
      for (const dep of ["express", "fastify"]) symlinkSync(join(root, "node_modules", dep), join(app, "node_modules", dep));
      writeFileSync(join(app, "package.json"), '{ "private": true, "type": "module" }\n');
      const emu = emulator();
      const child = spawn(process.execPath, [join(app, "node_modules", "kakao-talk-channel", "examples", example)], {
        env: { ...process.env, KAKAO_ADMIN_KEY: emu.adminKey, PORT: "0" },
        cwd: app,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stderr.on("data", (d) => {
        out += d;
      });
      try {
        const url = await new Promise((resolve, reject) => {
          child.stdout.on("data", (d) => {
            out += d;
            const m = /listening on (http:\/\/\S+)/.exec(out);
            if (m) resolve(m[1]);
          });
          child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
        });
        const ok = await emu.deliverWebhook(`${url}/kakao/webhook`, { event: "added", userId: 77, channelPublicId: "_ZeUTxl" });
        const bad = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" }, { adminKey: "wrong0key0000000000000000000000" });
        const dup = await emu.deliverWebhook(`${url}/kakao/webhook`, { userId: 77, channelPublicId: "_ZeUTxl" }, { resourceId: ok.resourceId });
        assert.deepEqual([ok.status, bad.status, dup.status], [200, 401, 200]);
        if (example === "webhook-express.mjs") {
          const echo = await fetch(`${url}/api/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
          assert.deepEqual(await echo.json(), { a: 1 });
        }
        await until(() => /added: user 77/.test(out), "the example's log line");
        assert.match(out, /added: user 77 \(app_user_id\) → _ZeUTxl at 2024-03-04T05:06:07.000Z/);
        assert.equal(out.match(/added: user 77/g).length, 1, out);
      } finally {
        child.kill();
        rmSync(app, { recursive: true, force: true });
      }
    });
  }
});

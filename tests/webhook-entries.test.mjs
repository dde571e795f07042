// The webhook's three entries and their options: constructChannelWebhookEvent (a body already
// read, any framework), parseChannelWebhook (a fetch Request, built on it) and
// createChannelWebhookHandler give the same event and the same errors for the same delivery;
// `adminKey` falls back to KAKAO_ADMIN_KEY as the client's does; an explicit `undefined` is an
// absent option; Node's `req` handed to the fetch-style entries is named as the wiring mistake
// it is (over a real node:http server).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, describe, test } from "node:test";
import {
  ValidationError,
  WebhookAuthError,
  constructChannelWebhookEvent,
  createChannelWebhookHandler,
  d1SeenStore,
  kvSeenStore,
  parseChannelWebhook,
  redisSeenStore,
  toNodeHandler,
} from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";
const BODY = { event: "added", id: "9223372036854775807", id_type: "app_user_id", channel_public_id: "_ZeUTxl", channel_uuid: "@테스트", updated_at: "2024-03-04T05:06:07Z" };
const JSON_BODY = JSON.stringify(BODY);
const EVENT = {
  event: "added",
  userId: "9223372036854775807",
  idType: "app_user_id",
  channelPublicId: "_ZeUTxl",
  channelUuid: "@테스트",
  updatedAt: new Date("2024-03-04T05:06:07Z"),
  resourceId: "r-1",
};
const bytes = (s) => new TextEncoder().encode(s);
const HEADERS = { authorization: `KakaoAK ${KEY}`, "x-kakao-resource-id": "r-1" };

const servers = [];
after(async () => {
  for (const close of servers) await close();
});

async function listen(listener) {
  const server = createServer(listener);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  servers.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${server.address().port}`;
}

/** Runs `f` with KAKAO_ADMIN_KEY set to `value` (deleted when undefined), restoring it after. */
async function withEnv(value, f) {
  const before = process.env.KAKAO_ADMIN_KEY;
  if (value === undefined) delete process.env.KAKAO_ADMIN_KEY;
  else process.env.KAKAO_ADMIN_KEY = value;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.KAKAO_ADMIN_KEY;
    else process.env.KAKAO_ADMIN_KEY = before;
  }
}

/** What an entry gave: `{ event }` or the error's class, field, rule, reason and message. */
async function outcome(f) {
  try {
    return { event: { ...(await f()) } };
  } catch (err) {
    return { error: { name: err.constructor.name, field: err.field, rule: err.rule, reason: err.reason, message: err.message } };
  }
}

/** The same delivery through the handler: its status, JSON body and the event onEvent got. */
async function throughHandler(body, headers) {
  const events = [];
  const handle = createChannelWebhookHandler({ adminKey: KEY, onEvent: (e) => void events.push({ ...e }) });
  const res = await handle(new Request("https://svc.example/hook", { method: "POST", headers, body }));
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text), events };
}

describe("constructChannelWebhookEvent, parseChannelWebhook and the handler agree", () => {
  const base = JSON.stringify(BODY);
  const badUtf8 = bytes(base);
  badUtf8[base.indexOf("@") + 1] = 0xff; // inside channel_uuid
  const exact = base + " ".repeat(16384 - bytes(base).length);
  const FIXTURES = [
    ["a delivery as Kakao sends it", bytes(base), HEADERS],
    ["a legacy body (plus_friend_*)", bytes(base.replace("channel_public_id", "plus_friend_public_id").replace("channel_uuid", "plus_friend_uuid")), HEADERS],
    ["no resource id", bytes(base), { authorization: `KakaoAK ${KEY}` }],
    ["exactly 16,384 bytes", bytes(exact), HEADERS],
    ["16,385 bytes", bytes(`${exact} `), HEADERS],
    ["another key", bytes(base), { ...HEADERS, authorization: `KakaoAK ${OTHER}` }],
    ["another key and a 20 KiB body (the key first)", new Uint8Array(20480).fill(32), { ...HEADERS, authorization: `KakaoAK ${OTHER}` }],
    ["Bearer", bytes(base), { ...HEADERS, authorization: `Bearer ${KEY}` }],
    ["no Authorization", bytes(base), { "x-kakao-resource-id": "r-1" }],
    ["malformed JSON", bytes('{"event":"added",'), HEADERS],
    ["no updated_at", bytes(JSON.stringify({ ...BODY, updated_at: undefined })), HEADERS],
    ["a key twice", bytes(`${base.slice(0, -1)},"id":"2"}`), HEADERS],
    ["a negative id", bytes(base.replace('"id":"9223372036854775807"', '"id":-5')), HEADERS],
    ["invalid UTF-8 in channel_uuid", badUtf8, HEADERS],
  ];

  for (const [name, body, headers] of FIXTURES) {
    test(name, async () => {
      const constructed = await outcome(() => constructChannelWebhookEvent(body, headers, { adminKey: KEY }));
      const parsed = await outcome(() => parseChannelWebhook(new Request("https://svc.example/hook", { method: "POST", headers, body }), { adminKey: KEY }));
      assert.deepEqual(constructed, parsed);
      const handled = await throughHandler(body, headers);
      if (constructed.event) {
        assert.equal(handled.status, 200);
        assert.deepEqual(handled.events, [constructed.event]);
        return;
      }
      const { name: cls, field, rule, reason } = constructed.error;
      assert.deepEqual(handled.events, []);
      if (cls === "WebhookAuthError") assert.deepEqual([handled.status, handled.body], [401, { error: "unauthorized", reason }]);
      else {
        assert.equal(cls, "ValidationError");
        assert.deepEqual([handled.status, handled.body.field, handled.body.rule], [rule === "webhook.body_too_large" ? 413 : 400, field, rule]);
      }
    });
  }

  test("the outcomes themselves (so that agreeing on nothing cannot pass)", async () => {
    const got = [];
    for (const [, body, headers] of FIXTURES) {
      const o = await outcome(() => constructChannelWebhookEvent(body, headers, { adminKey: KEY }));
      got.push(o.event ? o.event.resourceId : `${o.error.name} ${o.error.reason ?? `${o.error.field} ${o.error.rule}`}`);
    }
    assert.deepEqual(got, [
      "r-1",
      "r-1",
      null,
      "r-1",
      "ValidationError body webhook.body_too_large",
      "WebhookAuthError mismatch",
      "WebhookAuthError mismatch",
      "WebhookAuthError scheme",
      "WebhookAuthError missing",
      "ValidationError body webhook.json",
      "ValidationError body.updated_at webhook.required",
      "ValidationError body.id webhook.duplicate_key",
      "ValidationError body.id webhook.negative_id",
      "ValidationError body.channel_uuid webhook.utf8",
    ]);
    assert.deepEqual(constructChannelWebhookEvent(bytes(base), HEADERS, { adminKey: KEY }), EVENT);
  });
});

describe("constructChannelWebhookEvent: the body and the headers as given", () => {
  test("a string, a Node Buffer (a pooled slice), an ArrayBuffer and a view at an offset give the same event", () => {
    const buffer = Buffer.from(JSON_BODY);
    assert.ok(buffer.byteOffset > 0 || buffer.buffer.byteLength > buffer.byteLength, "a Buffer from the shared pool");
    const padded = new Uint8Array(bytes(`xxxx${JSON_BODY}yy`));
    const view = new DataView(padded.buffer, 4, padded.byteLength - 6);
    for (const body of [JSON_BODY, buffer, bytes(JSON_BODY).buffer, view, padded.subarray(4, -2)]) {
      assert.deepEqual(constructChannelWebhookEvent(body, HEADERS, { adminKey: KEY }), EVENT);
    }
  });

  test("header names are case-insensitive, in an object, a Map or a Headers; a string[] is joined as fetch joins it", () => {
    const cases = [
      { AUTHORIZATION: `KakaoAK ${KEY}`, "X-Kakao-Resource-ID": "r-1" },
      { Authorization: [`KakaoAK ${KEY}`], "x-kakao-resource-id": ["r-1"], "content-type": 7 },
      new Map([["Authorization", `KakaoAK ${KEY}`], ["X-KAKAO-RESOURCE-ID", "r-1"]]),
      new Headers({ Authorization: `KakaoAK ${KEY}`, "X-Kakao-Resource-Id": "r-1" }),
      Object.assign(Object.create(null), { authorization: `KakaoAK ${KEY}`, "x-kakao-resource-id": "r-1", other: undefined }),
    ];
    for (const headers of cases) assert.deepEqual(constructChannelWebhookEvent(JSON_BODY, headers, { adminKey: KEY }), EVENT);
    // Two values: "a, b", as new Headers() gives; two Authorization values are no key.
    assert.equal(constructChannelWebhookEvent(JSON_BODY, { authorization: `KakaoAK ${KEY}`, "x-kakao-resource-id": ["a", "b"] }, { adminKey: KEY }).resourceId, "a, b");
    const twice = (() => {
      try {
        constructChannelWebhookEvent(JSON_BODY, { authorization: [`KakaoAK ${KEY}`, `KakaoAK ${KEY}`] }, { adminKey: KEY });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(twice instanceof WebhookAuthError, String(twice));
    assert.equal(twice.reason, "mismatch");
  });

  test("Node's own req.headers and raw bytes, over a real node:http server", async () => {
    const got = [];
    const url = await listen((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        try {
          got.push(constructChannelWebhookEvent(Buffer.concat(chunks), req.headers, { adminKey: KEY }));
          res.statusCode = 200;
        } catch (err) {
          got.push(err);
          res.statusCode = err instanceof WebhookAuthError ? 401 : 400;
        }
        res.end();
      });
    });
    const emu = createKakaoEmulator({ adminKey: KEY, now: () => new Date("2024-03-04T05:06:07Z") });
    emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
    const d = await emu.deliverWebhook(url, { event: "added", userId: "9223372036854775807", channelPublicId: "_ZeUTxl" });
    const wrong = await emu.deliverWebhook(url, { event: "added", userId: 1, channelPublicId: "_ZeUTxl" }, { adminKey: OTHER });
    assert.deepEqual([d.status, wrong.status], [200, 401]);
    assert.deepEqual(got[0], { ...EVENT, resourceId: d.resourceId });
    assert.equal(got[1].reason, "mismatch");
  });

  test("refused: a body that is not bytes, a lone surrogate, headers that are not headers, an unknown option", () => {
    const auth = { authorization: `KakaoAK ${KEY}` };
    const cases = [
      [{ ...BODY }, auth, { adminKey: KEY }, "body", "params.type", /got an object \(a body parser's result\?/],
      [null, auth, { adminKey: KEY }, "body", "params.type", /must be the raw body: a string or bytes/],
      [[1, 2], auth, { adminKey: KEY }, "body", "params.type", /got an array/],
      [`${JSON_BODY.slice(0, -1)},"x":"\uD800"}`, auth, { adminKey: KEY }, "body", "webhook.utf8", /lone surrogate/],
      ["가".repeat(5462), auth, { adminKey: KEY }, "body", "webhook.body_too_large", /larger than 16384 bytes/],
      [JSON_BODY, null, { adminKey: KEY }, "headers", "params.type", /must be a Headers or an object/],
      [JSON_BODY, "KakaoAK x", { adminKey: KEY }, "headers", "params.type", /must be a Headers/],
      [JSON_BODY, { authorization: 5 }, { adminKey: KEY }, "headers.authorization", "params.type", /a string or an array of strings/],
      [JSON_BODY, { Authorization: [`KakaoAK ${KEY}`, 1] }, { adminKey: KEY }, "headers.authorization", "params.type", /a string or an array/],
      [JSON_BODY, { get authorization() { throw new Error("x"); } }, { adminKey: KEY }, "headers", "params.type", /must be a Headers/],
      [JSON_BODY, new Proxy({}, { ownKeys() { throw new Error("x"); } }), { adminKey: KEY }, "headers", "params.type", /must be a Headers/],
      [JSON_BODY, auth, { adminKey: KEY, bodyTimeoutMs: 10 }, "options.bodyTimeoutMs", "params.unknown_key", /expected one of: adminKey/],
      [JSON_BODY, auth, { get adminKey() { throw new Error("x"); } }, "adminKey", "params.unreadable", /a getter threw/],
    ];
    for (const [body, headers, options, field, rule, message] of cases) {
      assert.throws(
        () => constructChannelWebhookEvent(body, headers, options),
        (e) => e instanceof ValidationError && e.field === field && e.rule === rule && message.test(e.message),
        `${field} ${rule}`,
      );
    }
    // The sender comes before the body: a wrong key with an object body is a 401's error.
    assert.throws(() => constructChannelWebhookEvent({ ...BODY }, { authorization: `KakaoAK ${OTHER}` }, { adminKey: KEY }), WebhookAuthError);
  });
});

describe("adminKey: the option, else KAKAO_ADMIN_KEY, as the client reads it", () => {
  const request = () => new Request("https://svc.example/hook", { method: "POST", headers: HEADERS, body: JSON_BODY });

  test("absent or undefined: the variable is used by every entry (trimmed)", async () => {
    await withEnv(` ${KEY}\n`, async () => {
      assert.deepEqual(constructChannelWebhookEvent(JSON_BODY, HEADERS), EVENT);
      assert.deepEqual(constructChannelWebhookEvent(JSON_BODY, HEADERS, { adminKey: undefined }), EVENT);
      assert.deepEqual(await parseChannelWebhook(request()), EVENT);
      assert.deepEqual(await parseChannelWebhook(request(), { adminKey: undefined, bodyTimeoutMs: undefined }), EVENT);
      const events = [];
      const handle = createChannelWebhookHandler({ onEvent: (e) => void events.push(e) });
      assert.equal((await handle(request())).status, 200);
      assert.deepEqual(events, [EVENT]);
      // The option wins over the variable.
      assert.throws(() => constructChannelWebhookEvent(JSON_BODY, HEADERS, { adminKey: OTHER }), (e) => e instanceof WebhookAuthError && e.reason === "mismatch");
    });
  });

  test("neither: a ValidationError naming adminKey and the variable; a bad variable is named env.KAKAO_ADMIN_KEY, never echoed", async () => {
    for (const value of [undefined, "", "  \n"]) {
      await withEnv(value, async () => {
        for (const f of [
          () => constructChannelWebhookEvent(JSON_BODY, HEADERS, { adminKey: undefined }),
          () => createChannelWebhookHandler({ onEvent() {} }),
          () => createChannelWebhookHandler({ adminKey: undefined, onEvent() {} }),
        ]) {
          assert.throws(f, (e) => e instanceof ValidationError && e.field === "adminKey" && e.rule === "params.required" && e.message === "adminKey: is required: pass adminKey or set KAKAO_ADMIN_KEY (Kakao signs each delivery with the app's primary admin key)");
        }
        const err = await parseChannelWebhook(request()).catch((e) => e);
        assert.deepEqual([err.constructor, err.field, err.rule], [ValidationError, "adminKey", "params.required"]);
      });
    }
    await withEnv("secret key", async () => {
      const err = (() => {
        try {
          createChannelWebhookHandler({ onEvent() {} });
        } catch (e) {
          return e;
        }
      })();
      assert.deepEqual([err.field, err.rule], ["env.KAKAO_ADMIN_KEY", "secret.format"]);
      assert.ok(!`${err.message} ${err.stack} ${JSON.stringify(err)}`.includes("secret key"));
    });
  });

  test("never in a browser: with window and document, the variable is ignored", async () => {
    await withEnv(KEY, async () => {
      globalThis.window = {};
      globalThis.document = {};
      try {
        assert.throws(() => constructChannelWebhookEvent(JSON_BODY, HEADERS), (e) => e.field === "adminKey" && e.rule === "params.required");
        assert.deepEqual(constructChannelWebhookEvent(JSON_BODY, HEADERS, { adminKey: KEY }), EVENT);
      } finally {
        delete globalThis.window;
        delete globalThis.document;
      }
      assert.deepEqual(constructChannelWebhookEvent(JSON_BODY, HEADERS), EVENT);
    });
  });

  test("an explicit undefined is an absent option, for every optional option of every entry", async () => {
    const events = [];
    const handle = createChannelWebhookHandler({
      adminKey: KEY,
      onEvent: (e) => void events.push(e),
      seen: undefined,
      seenTtlMs: undefined,
      answerWithinMs: undefined,
      leaseMs: undefined,
      callTimeoutMs: undefined,
      bodyTimeoutMs: undefined,
      onError: undefined,
    });
    assert.equal((await handle(request())).status, 200);
    assert.equal((await handle(request())).status, 200); // the default store dropped the redelivery
    assert.deepEqual(events, [EVENT]);
    const fn = () => {};
    const stores = [
      kvSeenStore({ get: fn, put: fn, delete: fn }, { prefix: undefined }),
      redisSeenStore({ call: fn }, { prefix: undefined, client: undefined }),
      d1SeenStore({ prepare: fn }, { table: undefined }),
    ];
    for (const s of stores) assert.deepEqual(Object.keys(s).sort(), ["claim", "finish", "release"]);
    assert.equal(typeof toNodeHandler(handle, { onError: undefined }), "function");
  });
});

describe("Node's req handed to the fetch-style entries", () => {
  const MESSAGE =
    'request: must be a fetch Request, not a Node IncomingMessage (req): on node:http, Express or Fastify use createNodeWebhookHandler(options) or toNodeHandler(handle) from "kakao-talk-channel", which stream the body with the same 16 KiB cap and deadline';

  test("the handler given node:http's req answers 500 and tells onError why; parseChannelWebhook throws the same", async () => {
    const errors = [];
    const events = [];
    const handle = createChannelWebhookHandler({ adminKey: KEY, onEvent: (e) => void events.push(e), onError: (err, event, stage) => void errors.push({ err, event, stage }) });
    const parsed = [];
    const url = await listen(async (req, res) => {
      if (req.url === "/parse") {
        parsed.push(await parseChannelWebhook(req, { adminKey: KEY }).catch((e) => e));
        res.end();
        return;
      }
      const response = await handle(req); // the mistake: req is no Request
      res.statusCode = response.status;
      res.end(await response.text());
    });
    const emu = createKakaoEmulator({ adminKey: KEY });
    emu.addChannel("_ZeUTxl");
    const d = await emu.deliverWebhook(url, { userId: 1, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 500);
    assert.deepEqual(JSON.parse(d.responseBody), { error: "the delivery could not be handled" });
    assert.deepEqual(events, []);
    assert.equal(errors.length, 1);
    const { err, event, stage } = errors[0];
    assert.ok(err instanceof ValidationError, String(err));
    assert.deepEqual([err.field, err.rule, err.message, event, stage], ["request", "params.type", MESSAGE, undefined, "parse"]);
    await emu.deliverWebhook(`${url}/parse`, { userId: 1, channelPublicId: "_ZeUTxl" });
    assert.ok(parsed[0] instanceof ValidationError, String(parsed[0]));
    assert.deepEqual([parsed[0].field, parsed[0].rule, parsed[0].message], ["request", "params.type", MESSAGE]);
  });

  test("each sign alone (plain headers, rawHeaders, on; Fastify's request) is recognised; other garbage stays a 400", async () => {
    const errors = [];
    const handle = createChannelWebhookHandler({ adminKey: KEY, onEvent() {}, onError: (err) => void errors.push(err) });
    const headers = new Headers(HEADERS);
    const nodeLike = [
      { method: "POST", headers: { ...HEADERS } },
      { method: "POST", headers, rawHeaders: [] },
      { method: "POST", headers, on() {} },
      { raw: {}, body: undefined, headers: { ...HEADERS }, method: "POST" },
    ];
    for (const req of nodeLike) {
      const res = await handle(req);
      assert.equal(res.status, 500);
      const err = await parseChannelWebhook(req, { adminKey: KEY }).catch((e) => e);
      assert.equal(err.message, MESSAGE);
    }
    assert.deepEqual(errors.map((e) => e.message), nodeLike.map(() => MESSAGE));
    for (const request of [null, {}, { method: "POST", headers: null }]) {
      const res = await handle(request);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).field, "request");
    }
    assert.equal(errors.length, nodeLike.length);
  });
});

// The channel add/block webhook: parseChannelWebhook and createChannelWebhookHandler, fed by the
// emulator's deliverWebhook (exactly what Kakao sends) and by hand-made Requests whose bodies
// are ReadableStreams the test controls (huge, never-ending, failing); the seen stores against
// in-process fakes of Redis and of an eventually consistent KV.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import {
  KakaoTalkChannelError,
  ValidationError,
  WebhookAuthError,
  createChannelWebhookHandler,
  kvSeenStore,
  parseChannelWebhook,
  redisSeenStore,
} from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const AT = new Date("2024-03-04T05:06:07Z");
const KEY = "0123456789abcdef0123456789abcdef";
const BODY = { event: "added", id: "1", id_type: "app_user_id", channel_public_id: "_a", channel_uuid: "@a", updated_at: "2024-03-04T05:06:07Z" };
const bytes = (s) => new TextEncoder().encode(s);

/** A body that never ends: `chunk` on every pull, forever. `stats`: pulls and the cancel reason. */
function endless(chunk) {
  const stats = { pulls: 0, cancelled: undefined };
  const stream = new ReadableStream(
    {
      pull(c) {
        stats.pulls++;
        c.enqueue(chunk);
      },
      cancel(reason) {
        stats.cancelled = reason ?? "cancelled";
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

/** A body that sends `prefix`, then nothing, never closing. */
function stalled(prefix) {
  const stats = { cancelled: undefined };
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(bytes(prefix));
    },
    cancel(reason) {
      stats.cancelled = reason ?? "cancelled";
    },
  });
  return { stream, stats };
}

/** A body from these chunks, then closed (or errored with `error`). */
function chunked(chunks, error) {
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(x);
      if (error) c.error(error);
      else c.close();
    },
  });
}

function post(body, headers = { authorization: `KakaoAK ${KEY}`, "x-kakao-resource-id": "r-1" }) {
  return new Request("https://svc.example/hook", { method: "POST", headers, body, duplex: "half" });
}

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function setup(handlerOptions = {}) {
  const emu = createKakaoEmulator({ now: () => AT });
  emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
  const events = [];
  const handler = createChannelWebhookHandler({
    adminKey: emu.adminKey,
    onEvent: (e) => {
      events.push(e);
    },
    ...handlerOptions,
  });
  return { emu, events, handler };
}

const EXPECTED = {
  event: "added",
  userId: "9223372036854775807",
  idType: "app_user_id",
  channelPublicId: "_ZeUTxl",
  channelUuid: "@테스트",
  updatedAt: AT,
};

describe("parseChannelWebhook", () => {
  test("a delivery as Kakao sends it: headers checked, body parsed to the documented shape", async () => {
    const emu = createKakaoEmulator({ now: () => AT });
    emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
    let seen;
    const d = await emu.deliverWebhook(
      async (request) => {
        assert.equal(request.method, "POST");
        assert.equal(request.headers.get("authorization"), `KakaoAK ${emu.adminKey}`);
        assert.equal(request.headers.get("user-agent"), "KakaoOpenAPI/1.0");
        assert.match(request.headers.get("x-kakao-resource-id"), /^emulator-delivery-\d+$/);
        seen = await parseChannelWebhook(request, { adminKey: emu.adminKey });
        return new Response(null, { status: 200 });
      },
      { event: "added", userId: "9223372036854775807", channelPublicId: "_ZeUTxl" },
    );
    assert.deepEqual(d.payload, {
      event: "added",
      id: "9223372036854775807",
      id_type: "app_user_id",
      channel_public_id: "_ZeUTxl",
      channel_uuid: "@테스트",
      updated_at: "2024-03-04T05:06:07Z",
    });
    assert.deepEqual(seen, { ...EXPECTED, resourceId: d.resourceId });
    assert.ok(seen.updatedAt instanceof Date);
    assert.equal(d.status, 200);
    assert.equal(d.delivered, true);
  });

  test("auth failures are WebhookAuthError with a reason, read before the body, never echoing the header", async () => {
    const key = "0123456789abcdef0123456789abcdef";
    const wrong = "fedcba9876543210fedcba9876543210";
    const cases = [
      [{ authorization: `KakaoAK ${wrong}` }, "mismatch"],
      [{ authorization: `Bearer ${key}` }, "scheme"],
      [{}, "missing"],
    ];
    for (const [headers, reason] of cases) {
      const { stream, stats } = endless(new TextEncoder().encode("{}"));
      const request = new Request("https://svc.example/hook", { method: "POST", headers, body: stream, duplex: "half" });
      const err = await parseChannelWebhook(request, { adminKey: key }).catch((e) => e);
      const bodyRead = stats.pulls > 0 || request.bodyUsed;
      assert.ok(err instanceof WebhookAuthError, String(err));
      assert.ok(err instanceof KakaoTalkChannelError);
      assert.equal(err.name, "WebhookAuthError");
      assert.equal(err.reason, reason);
      assert.equal(bodyRead, false, "the body is not read before the sender is verified");
      const rendered = [err.message, String(err), err.stack, JSON.stringify(err), inspect(err)].join("\n");
      assert.ok(!rendered.includes(key) && !rendered.includes(wrong), rendered);
    }
  });

  test("a malformed body is a ValidationError naming the field", async () => {
    const key = "0123456789abcdef0123456789abcdef";
    const base = { event: "added", id: "1", id_type: "app_user_id", channel_public_id: "_a", channel_uuid: "@a", updated_at: "2024-03-04T05:06:07Z" };
    const cases = [
      ["{not json", "body", "webhook.json"],
      [JSON.stringify({ ...base, updated_at: "2024-02-30T00:00:00Z" }), "body.updated_at", "webhook.updated_at"],
      [JSON.stringify({ ...base, id: undefined }), "body.id", "webhook.required"],
      [JSON.stringify({ ...base, event: 7 }), "body.event", "webhook.type"],
      [JSON.stringify({ ...base, channel_public_id: "a,b" }), "body.channel_public_id", "channel_id.format"],
      [JSON.stringify({ ...base, channel_uuid: undefined }), "body.channel_uuid", "webhook.required"],
      // A key twice (serde_json alone would keep the last one), at any depth, even escaped.
      [`${JSON.stringify(base).slice(0, -1)},"id":"2"}`, "body.id", "webhook.duplicate_key"],
      [`${JSON.stringify(base).slice(0, -1)},"\\u0069d":"2"}`, "body.id", "webhook.duplicate_key"],
      [`${JSON.stringify(base).slice(0, -1)},"x":[{"a":1,"a":2}]}`, "body.x[0].a", "webhook.duplicate_key"],
      [JSON.stringify(base).replace('"id":"1"', '"id":-5'), "body.id", "webhook.negative_id"],
    ];
    for (const [body, field, rule] of cases) {
      const request = new Request("https://svc.example/hook", { method: "POST", headers: { authorization: `KakaoAK ${key}` }, body });
      const err = await parseChannelWebhook(request, { adminKey: key }).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${body}: ${err}`);
      assert.deepEqual([err.field, err.rule], [field, rule], body);
    }
  });

  test("options are checked: adminKey required and well-formed", async () => {
    const request = new Request("https://svc.example/hook", { method: "POST", body: "{}" });
    for (const [options, field, rule] of [
      [{}, "adminKey", "params.required"],
      [{ adminKey: "a\nb" }, "adminKey", "secret.format"],
      [{ adminKey: "k", extra: 1 }, "options.extra", "params.unknown_key"],
      [{ adminKey: "k", bodyTimeoutMs: 0 }, "bodyTimeoutMs", "options.body_timeout_ms"],
      [{ adminKey: "k", bodyTimeoutMs: 60001 }, "bodyTimeoutMs", "options.body_timeout_ms"],
      [{ adminKey: "k", seenTtlMs: 60000 }, "options.seenTtlMs", "params.unknown_key"],
      [{ get adminKey() { throw new Error("boom"); } }, "adminKey", "params.unreadable"],
      [new Proxy({}, { ownKeys() { throw new Error("boom"); } }), "options", "params.unreadable"],
      [revoked(), "options", "params.unreadable"],
      [[], "options", "params.type"],
    ]) {
      const err = await parseChannelWebhook(request, options).catch((e) => e);
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
  });
});

describe("createChannelWebhookHandler, through the emulator's deliveries", () => {
  test("good delivery → 200 with an empty body after onEvent resolved, with the parsed event", async () => {
    const { emu, events, handler } = setup();
    const d = await emu.deliverWebhook(handler, { event: "blocked", userId: 1234, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 200);
    assert.equal(d.responseBody, "");
    assert.equal(d.delivered, true);
    assert.deepEqual(events, [{ ...EXPECTED, event: "blocked", userId: "1234", resourceId: d.resourceId }]);
  });

  test("wrong key → 401, onEvent not called", async () => {
    const { emu, events, handler } = setup();
    const d = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { adminKey: "another0admin0key000000000000000" });
    assert.equal(d.status, 401);
    assert.deepEqual(JSON.parse(d.responseBody), { error: "unauthorized", reason: "mismatch" });
    assert.ok(!d.responseBody.includes("another0admin0key"));
    assert.deepEqual(events, []);
  });

  test("missing Authorization header → 401", async () => {
    const { emu, events, handler } = setup();
    const d = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { headers: { authorization: null } });
    assert.equal(d.status, 401);
    assert.equal(JSON.parse(d.responseBody).reason, "missing");
    assert.deepEqual(events, []);
  });

  test("legacy body (plus_friend_public_id, plus_friend_uuid) → parsed into the same event", async () => {
    const { emu, events, handler } = setup();
    const d = await emu.deliverWebhook(handler, { userId: "9223372036854775807", channelPublicId: "_ZeUTxl", legacy: true, idType: "open_id" });
    assert.equal(d.status, 200);
    assert.ok("plus_friend_public_id" in d.payload && !("channel_public_id" in d.payload));
    assert.deepEqual(events, [{ ...EXPECTED, idType: "open_id", resourceId: d.resourceId }]);
  });

  test("malformed JSON → 400 naming the field and rule", async () => {
    const { emu, events, handler } = setup();
    const d = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { body: '{"event": "added",' });
    assert.equal(d.status, 400);
    assert.deepEqual(JSON.parse(d.responseBody), { error: "invalid webhook body", field: "body", rule: "webhook.json" });
    const e2 = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { body: '{"event":"added","id":"1","id_type":"app_user_id","channel_public_id":"_ZeUTxl","channel_uuid":"@x"}' });
    assert.equal(e2.status, 400);
    assert.equal(JSON.parse(e2.responseBody).field, "body.updated_at");
    assert.deepEqual(events, []);
  });

  test("wrong method → 405 with Allow: POST", async () => {
    const { emu, events, handler } = setup();
    for (const method of ["GET", "PUT"]) {
      const request = new Request("https://svc.example/hook", { method, headers: { authorization: `KakaoAK ${emu.adminKey}` } });
      const res = await handler(request);
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get("allow"), "POST");
    }
    const d = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { method: "GET" });
    assert.equal(d.status, 405);
    assert.deepEqual(events, []);
  });

  test("duplicate resource id → 200 without a second onEvent; a new id is handled", async () => {
    const { emu, events, handler } = setup();
    const first = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" });
    const again = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { resourceId: first.resourceId });
    const other = await emu.deliverWebhook(handler, { userId: 2, channelPublicId: "_ZeUTxl" });
    assert.deepEqual([first.status, again.status, other.status], [200, 200, 200]);
    assert.deepEqual([first.delivered, again.delivered, other.delivered], [true, true, true]);
    assert.deepEqual(events.map((e) => e.userId), ["1", "2"]);
    assert.equal(emu.webhooks.length, 3);
  });

  test("the same delivery twice at once → the second gets 409 while the first is handled", async () => {
    let release;
    const gate = new Promise((r) => (release = r));
    const { emu, events, handler } = setup({ onEvent: async (e) => { await gate; events.push(e); } });
    const first = emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { resourceId: "r-1" });
    await new Promise((r) => setTimeout(r, 20));
    const second = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { resourceId: "r-1" });
    release();
    assert.equal(second.status, 409);
    assert.equal((await first).status, 200);
    assert.equal(events.length, 1);
  });

  test("onEvent throws → 500, onError gets the error, and Kakao's redelivery is handled again", async () => {
    const errors = [];
    let fail = true;
    const { emu, events, handler } = setup({
      onEvent: (e) => {
        if (fail) throw new Error("db down");
        events.push(e);
      },
      onError: (err, e, stage) => errors.push([err.message, e.userId, stage]),
    });
    const d = await emu.deliverWebhook(handler, { userId: 5, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 500);
    assert.equal(d.delivered, false);
    assert.deepEqual(errors, [["db down", "5", "onEvent"]]);
    fail = false;
    const retry = await emu.deliverWebhook(handler, { userId: 5, channelPublicId: "_ZeUTxl" }, { resourceId: d.resourceId });
    assert.equal(retry.status, 200);
    assert.equal(events.length, 1);
  });

  test("`seen` plugs in any store with has/add (async, like a KV)", async () => {
    const kv = new Map();
    const store = { has: async (id) => kv.has(id), add: async (id) => void kv.set(id, "1") };
    const { emu, events, handler } = setup({ seen: store });
    const d = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" });
    assert.deepEqual([...kv.keys()], [d.resourceId]);
    // Another handler instance sharing the store (another isolate) drops the redelivery.
    const handler2 = createChannelWebhookHandler({ adminKey: emu.adminKey, seen: store, onEvent: (e) => events.push(e) });
    assert.equal((await emu.deliverWebhook(handler2, { userId: 1, channelPublicId: "_ZeUTxl" }, { resourceId: d.resourceId })).status, 200);
    assert.equal(events.length, 1);
  });

  test("handler options are checked when it is created", () => {
    for (const [options, field, rule] of [
      [{ adminKey: "k0k0k0k0", onEvent: 1 }, "onEvent", "params.type"],
      [{ adminKey: "k0k0k0k0" }, "onEvent", "params.type"],
      [{ onEvent() {} }, "adminKey", "params.required"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: {} }, "seen.has", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, sen: new Set() }, "options.sen", "params.unknown_key"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: { claim() {} } }, "seen.release", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: null }, "seen.has", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: { has() {}, get add() { throw new Error("x"); } } }, "seen.add", "params.unreadable"],
      [{ adminKey: "k0k0k0k0", get onEvent() { throw new Error("x"); } }, "onEvent", "params.unreadable"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, onError: "log" }, "onError", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seenTtlMs: 59999 }, "seenTtlMs", "options.seen_ttl_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, bodyTimeoutMs: 1.5 }, "bodyTimeoutMs", "options.body_timeout_ms"],
      [revoked(), "options", "params.unreadable"],
    ]) {
      assert.throws(() => createChannelWebhookHandler(options), (e) => e instanceof ValidationError && e.field === field && e.rule === rule, `${field} ${rule}`);
    }
    assert.doesNotThrow(() => createChannelWebhookHandler({ adminKey: "k0k0k0k0", onEvent() {}, seen: new Set() }));
    assert.doesNotThrow(() => createChannelWebhookHandler({ adminKey: "k0k0k0k0", onEvent() {}, seen: { claim() {}, release() {} }, seenTtlMs: 60000, bodyTimeoutMs: 60000 }));
  });
});

describe("the body is read as a bounded stream", () => {
  test("exactly 16,384 bytes is parsed; one more byte is webhook.body_too_large", async () => {
    const json = JSON.stringify(BODY);
    const exact = json + " ".repeat(16384 - bytes(json).length);
    const e = await parseChannelWebhook(post(chunked([bytes(exact.slice(0, 100)), bytes(exact.slice(100))])), { adminKey: KEY });
    assert.equal(e.userId, "1");
    const err = await parseChannelWebhook(post(chunked([bytes(`${exact} `)])), { adminKey: KEY }).catch((x) => x);
    assert.ok(err instanceof ValidationError, String(err));
    assert.deepEqual([err.field, err.rule, err.message], ["body", "webhook.body_too_large", "body: is larger than 16384 bytes"]);
  });

  test("a 300 MB body: reading stops at the cap (17 chunks of 1 KiB pulled), the stream is cancelled", async () => {
    // 300 MB of 1 KiB chunks, made lazily: the reader must stop long before.
    const { stream, stats } = endless(new Uint8Array(1024).fill(32));
    const started = Date.now();
    const err = await parseChannelWebhook(post(stream), { adminKey: KEY }).catch((x) => x);
    assert.equal(err.rule, "webhook.body_too_large");
    assert.equal(stats.pulls, 17);
    assert.equal(stats.cancelled?.rule, "webhook.body_too_large");
    assert.ok(Date.now() - started < 1000);
  });

  test("a body that never ends → webhook.body_timeout after bodyTimeoutMs, the stream cancelled", async () => {
    const { stream, stats } = stalled('{"event":"added",');
    const started = Date.now();
    const err = await parseChannelWebhook(post(stream), { adminKey: KEY, bodyTimeoutMs: 150 }).catch((x) => x);
    const took = Date.now() - started;
    assert.ok(err instanceof ValidationError, String(err));
    assert.deepEqual([err.field, err.rule, err.message], ["body", "webhook.body_timeout", "body: was not received within 150 ms"]);
    assert.ok(took >= 140 && took < 1500, `${took} ms`);
    assert.equal(stats.cancelled?.rule, "webhook.body_timeout");
  });

  test("a stream answering every read at once with empty chunks cannot starve the deadline", async () => {
    const { stream, stats } = endless(new Uint8Array(0));
    const started = Date.now();
    const err = await parseChannelWebhook(post(stream), { adminKey: KEY, bodyTimeoutMs: 50 }).catch((x) => x);
    assert.equal(err.rule, "webhook.body_timeout");
    assert.ok(stats.pulls > 1 && stats.cancelled !== undefined);
    assert.ok(Date.now() - started < 1500);
  });

  test("the default deadline is 3 s (Kakao's wait)", async () => {
    const { stream } = stalled("{");
    const started = Date.now();
    const err = await parseChannelWebhook(post(stream), { adminKey: KEY }).catch((x) => x);
    const took = Date.now() - started;
    assert.equal(err.rule, "webhook.body_timeout");
    assert.ok(took >= 2900 && took < 4500, `${took} ms`);
  });

  test("a failing stream, a non-byte chunk, an already-read body → webhook.body; invalid UTF-8 decodes as text() would", async () => {
    for (const body of [chunked([bytes("{")], new Error("connection reset")), chunked(["{}"])]) {
      const err = await parseChannelWebhook(post(body), { adminKey: KEY }).catch((x) => x);
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], ["body", "webhook.body"]);
    }
    const used = post(JSON.stringify(BODY));
    await used.text();
    const err = await parseChannelWebhook(used, { adminKey: KEY }).catch((x) => x);
    assert.deepEqual([err.field, err.rule], ["body", "webhook.body"]);
    const json = JSON.stringify({ ...BODY, channel_uuid: "@ab" });
    const withBad = bytes(json);
    withBad[json.indexOf("@ab") + 2] = 0xff; // "@ab" → "@a\xff": replaced by U+FFFD, like request.text()
    const e = await parseChannelWebhook(post(chunked([withBad])), { adminKey: KEY });
    assert.equal(e.channelUuid, "@a\uFFFD");
  });

  test("without a body stream, text() is read, under the same cap and deadline", async () => {
    const fake = (text) => ({ method: "POST", headers: new Headers({ authorization: `KakaoAK ${KEY}` }), body: null, text });
    const e = await parseChannelWebhook(fake(async () => JSON.stringify(BODY)), { adminKey: KEY });
    assert.deepEqual([e.userId, e.resourceId], ["1", null]);
    const big = await parseChannelWebhook(fake(async () => "가".repeat(5462)), { adminKey: KEY }).catch((x) => x);
    assert.equal(big.rule, "webhook.body_too_large"); // 5,462 × 3 bytes = 16,386 > 16,384
    const never = await parseChannelWebhook(fake(() => new Promise(() => {})), { adminKey: KEY, bodyTimeoutMs: 30 }).catch((x) => x);
    assert.equal(never.rule, "webhook.body_timeout");
    const throws = await parseChannelWebhook(fake(() => { throw new Error("no"); }), { adminKey: KEY }).catch((x) => x);
    assert.equal(throws.rule, "webhook.body");
  });

  test("throwing getters and Proxies in the Request reject with a ValidationError, never throw or hang", async () => {
    const headers = new Headers({ authorization: `KakaoAK ${KEY}` });
    const cases = [
      [null, "request", "params.type"],
      [5, "request", "params.type"],
      [{ get method() { throw new Error("x"); }, headers }, "request", "params.type"],
      [{ method: "POST", headers: { get() { throw new Error("x"); } } }, "request", "params.type"],
      [{ method: "POST", headers, get body() { throw new Error("x"); } }, "body", "webhook.body"],
      [{ method: "POST", headers, body: { getReader() { throw new Error("x"); } } }, "body", "webhook.body"],
      [{ method: "POST", headers, body: { getReader: () => ({ get read() { throw new Error("x"); }, cancel() { throw new Error("y"); } }) } }, "body", "webhook.body"],
      [{ method: "POST", headers, body: { getReader: () => ({ read: async () => new Proxy({}, { get() { throw new Error("x"); } }), cancel: () => Promise.reject(new Error("y")) }) } }, "body", "webhook.body"],
      [new Proxy({}, { get() { throw new Error("x"); } }), "request", "params.type"],
      [revoked(), "request", "params.type"],
      [{ method: "GET", headers }, "request.method", "webhook.method"],
    ];
    for (const [request, field, rule] of cases) {
      let promise;
      assert.doesNotThrow(() => {
        promise = parseChannelWebhook(request, { adminKey: KEY });
      });
      const err = await promise.catch((x) => x);
      assert.ok(err instanceof ValidationError, `${field}: ${err}`);
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
  });
});

describe("the handler always answers", () => {
  const event = (id = 1) => ({ userId: id, channelPublicId: "_ZeUTxl" });

  test("the emulator counts only 200 as delivered (Kakao's strictest published reading)", async () => {
    const { emu } = setup();
    const d = await emu.deliverWebhook(() => new Response(null, { status: 204 }), event());
    assert.deepEqual([d.status, d.delivered], [204, false]);
  });

  test("a huge body → 413, a never-ending one → 408, a wrong key → 401 without reading the body, a key twice → 400", async () => {
    const { events, handler } = setup({ adminKey: KEY, bodyTimeoutMs: 100 });
    const huge = endless(new Uint8Array(4096).fill(32));
    let res = await handler(post(huge.stream));
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { error: "webhook body too large", field: "body", rule: "webhook.body_too_large" });
    assert.equal(huge.stats.pulls, 5);
    const slow = stalled("{");
    res = await handler(post(slow.stream));
    assert.equal(res.status, 408);
    assert.deepEqual(await res.json(), { error: "webhook body not received in time", field: "body", rule: "webhook.body_timeout" });
    assert.ok(slow.stats.cancelled);
    const forged = endless(bytes("{}"));
    res = await handler(post(forged.stream, { authorization: "KakaoAK not0the0key" }));
    assert.equal(res.status, 401);
    assert.equal(forged.stats.pulls, 0);
    res = await handler(post(chunked([bytes('{"id":1,"id":2}')])));
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: "invalid webhook body", field: "body.id", rule: "webhook.duplicate_key" });
    assert.deepEqual(events, []);
  });

  test("a throwing or rejecting onError still ends in 500; garbage requests end in 400", async () => {
    for (const onError of [() => { throw new Error("log down"); }, async () => { throw new Error("log down"); }]) {
      const { emu, handler } = setup({ onEvent() { throw new Error("db down"); }, onError });
      const logged = [];
      const original = console.error;
      console.error = (...args) => logged.push(args);
      try {
        const d = await emu.deliverWebhook(handler, event());
        assert.equal(d.status, 500);
      } finally {
        console.error = original;
      }
      assert.equal(logged.length, 1);
      assert.equal(logged[0][1].message, "log down");
      assert.equal(logged[0][3].message, "db down");
    }
    const { handler } = setup();
    for (const request of [null, 5, {}, revoked()]) {
      const res = await handler(request);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).field, "request");
    }
  });

  test("seen.add failing after onEvent → 200 (the event was handled), the failure goes to onError", async () => {
    const errors = [];
    const store = { has: async () => false, add: async () => { throw new Error("kv down"); } };
    const { emu, events, handler } = setup({ seen: store, onError: (err, e, stage) => errors.push([err.message, e.userId, stage]) });
    const d = await emu.deliverWebhook(handler, event(7));
    assert.deepEqual([d.status, d.delivered], [200, true]);
    assert.equal(events.length, 1);
    assert.deepEqual(errors, [["kv down", "7", "seen.add"]]);
  });

  test("seen.has failing → 500 before onEvent (Kakao redelivers)", async () => {
    const errors = [];
    const store = { has: async () => { throw new Error("kv down"); }, add: async () => {} };
    const { emu, events, handler } = setup({ seen: store, onError: (err, _e, stage) => errors.push([err.message, stage]) });
    const d = await emu.deliverWebhook(handler, event());
    assert.equal(d.status, 500);
    assert.deepEqual(events, []);
    assert.deepEqual(errors, [["kv down", "seen.has"]]);
  });

  test("a claim store: claimed → handled once; not owned → 200 untouched; onEvent failing → released, redelivery handled; claim failing → 500", async () => {
    const claims = new Map();
    const calls = [];
    const store = {
      claim(id, ttl) {
        calls.push(["claim", id, ttl]);
        if (id === "broken") throw new Error("store down");
        if (claims.has(id)) return false;
        claims.set(id, ttl);
        return true;
      },
      release(id) {
        calls.push(["release", id]);
        claims.delete(id);
      },
    };
    let fail = true;
    const errors = [];
    const { emu, events, handler } = setup({
      seen: store,
      seenTtlMs: 120000,
      onEvent: (e) => {
        if (fail) throw new Error("db down");
        events.push(e);
      },
      onError: (err, _e, stage) => errors.push([err.message, stage]),
    });
    const first = await emu.deliverWebhook(handler, event(), { resourceId: "a" });
    assert.equal(first.status, 500);
    assert.deepEqual(calls, [["claim", "a", 120000], ["release", "a"]]);
    fail = false;
    const retry = await emu.deliverWebhook(handler, event(), { resourceId: "a" });
    const again = await emu.deliverWebhook(handler, event(), { resourceId: "a" });
    assert.deepEqual([retry.status, again.status], [200, 200]);
    assert.equal(events.length, 1);
    const broken = await emu.deliverWebhook(handler, event(), { resourceId: "broken" });
    assert.equal(broken.status, 500);
    assert.deepEqual(errors, [["db down", "onEvent"], ["store down", "seen.claim"]]);
    assert.equal(events.length, 1);
  });
});

/** A Redis fake: SET with PX/NX in ioredis' or node-redis' shape, DEL, expiry on a fake clock. */
function fakeRedis({ shape, clock }) {
  const data = new Map();
  const log = [];
  const live = (key) => {
    const e = data.get(key);
    if (e && e.until <= clock.now) data.delete(key);
    return data.has(key);
  };
  const setNx = async (key, value, px) => {
    await new Promise((r) => setTimeout(r, 1)); // a network hop: concurrent claims interleave
    if (live(key)) return null;
    data.set(key, { value, until: clock.now + px });
    return "OK";
  };
  const client = {
    async del(key) {
      log.push(["del", key]);
      return data.delete(key) ? 1 : 0;
    },
  };
  if (shape === "ioredis") {
    client.status = "ready";
    client.set = (key, value, ...args) => {
      log.push(["set", key, value, ...args]);
      assert.deepEqual([args[0], typeof args[1], args[2]], ["PX", "number", "NX"]);
      return setNx(key, value, args[1]);
    };
  } else {
    client.isOpen = true;
    client.set = (key, value, options) => {
      log.push(["set", key, value, options]);
      assert.deepEqual(Object.keys(options).sort(), ["NX", "PX"]);
      return setNx(key, value, options.PX);
    };
  }
  return { client, log, data };
}

/**
 * A Workers-KV fake, eventually consistent: each location sees its own writes at once and
 * other locations' writes only `lagMs` later (on a fake clock); expirationTtl in seconds.
 */
function fakeKv({ clock, lagMs }) {
  const writes = []; // { key, value (null = deleted), at, location, until }
  const log = [];
  const at = (location) => ({
    async get(key) {
      const visible = writes.filter((w) => w.key === key && (w.location === location || w.at + lagMs <= clock.now));
      const last = visible.at(-1);
      return last && last.value !== null && last.until > clock.now ? last.value : null;
    },
    async put(key, value, { expirationTtl }) {
      log.push(["put", location, key, expirationTtl]);
      writes.push({ key, value, at: clock.now, location, until: clock.now + expirationTtl * 1000 });
    },
    async delete(key) {
      log.push(["delete", location, key]);
      writes.push({ key, value: null, at: clock.now, location, until: Infinity });
    },
  });
  return { at, log };
}

describe("shared seen stores", () => {
  const event = { userId: 1, channelPublicId: "_ZeUTxl" };

  for (const shape of ["ioredis", "node-redis"]) {
    test(`redisSeenStore (${shape} call shape): SET NX is atomic — three instances, one delivery at once, one onEvent`, async () => {
      const clock = { now: 0 };
      const redis = fakeRedis({ shape, clock });
      const events = [];
      const { emu } = setup();
      const handlers = [1, 2, 3].map(() =>
        createChannelWebhookHandler({ adminKey: emu.adminKey, seen: redisSeenStore(redis.client), onEvent: (e) => void events.push(e) }),
      );
      const ds = await Promise.all(handlers.map((h) => emu.deliverWebhook(h, event, { resourceId: "r-9" })));
      assert.deepEqual(ds.map((d) => d.status), [200, 200, 200]);
      assert.equal(events.length, 1);
      const set = redis.log.find((l) => l[0] === "set");
      assert.deepEqual(set, shape === "ioredis" ? ["set", "kakao-webhook:r-9", "1", "PX", 86400000, "NX"] : ["set", "kakao-webhook:r-9", "1", { PX: 86400000, NX: true }]);
      // After the ttl the id is forgotten: a (very late) redelivery is handled again.
      clock.now += 86400000;
      assert.equal((await emu.deliverWebhook(handlers[0], event, { resourceId: "r-9" })).status, 200);
      assert.equal(events.length, 2);
    });
  }

  test("redisSeenStore: onEvent failing releases the claim (DEL), so another instance handles the redelivery", async () => {
    const clock = { now: 0 };
    const redis = fakeRedis({ shape: "ioredis", clock });
    const { emu } = setup();
    const handled = [];
    const failing = createChannelWebhookHandler({ adminKey: emu.adminKey, seen: redisSeenStore(redis.client, { prefix: "wh:" }), onEvent() { throw new Error("db down"); }, onError() {} });
    const working = createChannelWebhookHandler({ adminKey: emu.adminKey, seen: redisSeenStore(redis.client, { prefix: "wh:", client: "ioredis" }), onEvent: (e) => void handled.push(e.resourceId) });
    assert.equal((await emu.deliverWebhook(failing, event, { resourceId: "r-1" })).status, 500);
    assert.deepEqual(redis.log.at(-1), ["del", "wh:r-1"]);
    assert.equal((await emu.deliverWebhook(working, event, { resourceId: "r-1" })).status, 200);
    assert.equal((await emu.deliverWebhook(working, event, { resourceId: "r-1" })).status, 200);
    assert.deepEqual(handled, ["r-1"]);
  });

  test("kvSeenStore on an eventually consistent KV: same location drops at once; another location within the lag handles it twice", async () => {
    const clock = { now: 0 };
    const kv = fakeKv({ clock, lagMs: 60000 });
    const { emu } = setup();
    const handled = [];
    const at = (location) =>
      createChannelWebhookHandler({ adminKey: emu.adminKey, seen: kvSeenStore(kv.at(location)), onEvent: () => void handled.push(location) });
    const seoul = at("seoul");
    const tokyo = at("tokyo");
    const status = async (h, id) => (await emu.deliverWebhook(h, event, { resourceId: id })).status;
    assert.equal(await status(seoul, "r-1"), 200);
    assert.equal(await status(seoul, "r-1"), 200); // same location: dropped
    assert.deepEqual(handled, ["seoul"]);
    clock.now += 10000;
    assert.equal(await status(tokyo, "r-1"), 200); // 10 s later, elsewhere: not yet visible → handled twice
    assert.deepEqual(handled, ["seoul", "tokyo"]);
    assert.equal(await status(seoul, "r-2"), 200);
    clock.now += 60000;
    assert.equal(await status(tokyo, "r-2"), 200); // after the lag: dropped
    assert.deepEqual(handled, ["seoul", "tokyo", "seoul"]);
    assert.deepEqual(kv.log[0], ["put", "seoul", "kakao-webhook:r-1", 86400]);
  });

  test("kvSeenStore: expirationTtl from seenTtlMs (at least KV's 60 s); a failed onEvent deletes the key", async () => {
    const clock = { now: 0 };
    const kv = fakeKv({ clock, lagMs: 0 });
    const { emu } = setup();
    let fail = true;
    const handler = createChannelWebhookHandler({
      adminKey: emu.adminKey,
      seenTtlMs: 60001,
      seen: kvSeenStore(kv.at("seoul")),
      onEvent() {
        if (fail) throw new Error("db down");
      },
      onError() {},
    });
    assert.equal((await emu.deliverWebhook(handler, event, { resourceId: "r-1" })).status, 500);
    assert.deepEqual(kv.log, [["put", "seoul", "kakao-webhook:r-1", 61], ["delete", "seoul", "kakao-webhook:r-1"]]);
    fail = false;
    assert.equal((await emu.deliverWebhook(handler, event, { resourceId: "r-1" })).status, 200);
    assert.equal(kv.log.length, 3);
  });
});

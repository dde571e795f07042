// The channel add/block webhook: parseChannelWebhook and createChannelWebhookHandler, fed by the
// emulator's deliverWebhook (exactly what Kakao sends) and by hand-made Requests whose bodies
// are ReadableStreams the test controls (huge, never-ending, failing). The claim lifecycle is in
// webhook-claims.test.mjs; the shipped stores against real Redis and Miniflare in
// webhook-redis.test.mjs and webhook-cloudflare.test.mjs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import {
  KakaoTalkChannelError,
  ValidationError,
  WebhookAuthError,
  createChannelWebhookHandler,
  parseChannelWebhook,
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

  test("`seen` refuses the old shapes: a has/add store (a Set) and claim/release without finish", () => {
    for (const [seen, field, rule] of [
      [new Set(), "seen", "webhook.seen_store"],
      [{ has() {}, add() {} }, "seen", "webhook.seen_store"],
      [{ claim() {}, release() {} }, "seen.finish", "params.type"],
    ]) {
      const err = (() => {
        try {
          createChannelWebhookHandler({ adminKey: KEY, onEvent() {}, seen });
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], [field, rule]);
      assert.match(err.message, /claim\(id, token, leaseMs\), finish\(id, token, ttlMs\) and release\(id, token\)/);
    }
  });

  test("handler options are checked when it is created", () => {
    for (const [options, field, rule] of [
      [{ adminKey: "k0k0k0k0", onEvent: 1 }, "onEvent", "params.type"],
      [{ adminKey: "k0k0k0k0" }, "onEvent", "params.type"],
      [{ onEvent() {} }, "adminKey", "params.required"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: {} }, "seen.claim", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, sen: new Set() }, "options.sen", "params.unknown_key"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: { claim() {}, finish() {} } }, "seen.release", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: null }, "seen.claim", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: { claim() {}, get finish() { throw new Error("x"); } } }, "seen.finish", "params.unreadable"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, answerWithinMs: 3000 }, "answerWithinMs", "options.answer_within_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, answerWithinMs: 99 }, "answerWithinMs", "options.answer_within_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, leaseMs: 2999 }, "leaseMs", "options.lease_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, leaseMs: 61000, seenTtlMs: 60000 }, "leaseMs", "options.lease_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, callTimeoutMs: 0 }, "callTimeoutMs", "options.call_timeout_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, callTimeoutMs: "1s" }, "callTimeoutMs", "options.call_timeout_ms"],
      [{ adminKey: "k0k0k0k0", get onEvent() { throw new Error("x"); } }, "onEvent", "params.unreadable"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, onError: "log" }, "onError", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seenTtlMs: 59999 }, "seenTtlMs", "options.seen_ttl_ms"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, bodyTimeoutMs: 1.5 }, "bodyTimeoutMs", "options.body_timeout_ms"],
      [revoked(), "options", "params.unreadable"],
    ]) {
      assert.throws(() => createChannelWebhookHandler(options), (e) => e instanceof ValidationError && e.field === field && e.rule === rule, `${field} ${rule}`);
    }
    assert.doesNotThrow(() =>
      createChannelWebhookHandler({ adminKey: "k0k0k0k0", onEvent() {}, seen: { claim() {}, finish() {}, release() {} }, seenTtlMs: 60000, bodyTimeoutMs: 60000, leaseMs: 60000, answerWithinMs: 2900, callTimeoutMs: 60000 }),
    );
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

  test("a failing stream, a non-byte chunk, an already-read body → webhook.body; invalid UTF-8 → webhook.utf8 naming the string", async () => {
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
    withBad[json.indexOf("@ab") + 2] = 0xff; // "@ab" → "@a\xff": never handed on as U+FFFD
    const e = await parseChannelWebhook(post(chunked([withBad])), { adminKey: KEY }).catch((x) => x);
    assert.ok(e instanceof ValidationError, String(e));
    assert.deepEqual([e.field, e.rule], ["body.channel_uuid", "webhook.utf8"]);
    assert.match(e.message, /not valid UTF-8 .* at byte \d+/);
    // An open_id user id with a broken sequence, through the handler: 400, onEvent not called.
    const { emu, events, handler } = setup();
    const body = JSON.stringify({ ...BODY, id: "op3n", id_type: "open_id" });
    const broken = bytes(body);
    broken[body.indexOf("op3n") + 2] = 0xc3; // "op3n" → "op\xc3n": a lead byte without its continuation
    const d = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { body: broken });
    assert.equal(d.status, 400);
    assert.deepEqual(JSON.parse(d.responseBody), { error: "invalid webhook body", field: "body.id", rule: "webhook.utf8" });
    assert.deepEqual(events, []);
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
});

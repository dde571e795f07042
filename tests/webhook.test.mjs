// The channel add/block webhook: parseChannelWebhook and createChannelWebhookHandler, fed by the
// emulator's deliverWebhook (exactly what Kakao sends), straight and over a node:http server.
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
        return new Response(null, { status: 204 });
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
    assert.equal(d.status, 204);
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
      let bodyRead = false;
      const request = new Request("https://svc.example/hook", { method: "POST", headers, body: "{}" });
      const original = request.text.bind(request);
      request.text = () => {
        bodyRead = true;
        return original();
      };
      const err = await parseChannelWebhook(request, { adminKey: key }).catch((e) => e);
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
    ]) {
      const err = await parseChannelWebhook(request, options).catch((e) => e);
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
  });
});

describe("createChannelWebhookHandler, through the emulator's deliveries", () => {
  test("good delivery → 204 after onEvent resolved, with the parsed event", async () => {
    const { emu, events, handler } = setup();
    const d = await emu.deliverWebhook(handler, { event: "blocked", userId: 1234, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 204);
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
    assert.equal(d.status, 204);
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

  test("duplicate resource id → 204 without a second onEvent; a new id is handled", async () => {
    const { emu, events, handler } = setup();
    const first = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" });
    const again = await emu.deliverWebhook(handler, { userId: 1, channelPublicId: "_ZeUTxl" }, { resourceId: first.resourceId });
    const other = await emu.deliverWebhook(handler, { userId: 2, channelPublicId: "_ZeUTxl" });
    assert.deepEqual([first.status, again.status, other.status], [204, 204, 204]);
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
    assert.equal((await first).status, 204);
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
      onError: (err, e) => errors.push([err.message, e.userId]),
    });
    const d = await emu.deliverWebhook(handler, { userId: 5, channelPublicId: "_ZeUTxl" });
    assert.equal(d.status, 500);
    assert.equal(d.delivered, false);
    assert.deepEqual(errors, [["db down", "5"]]);
    fail = false;
    const retry = await emu.deliverWebhook(handler, { userId: 5, channelPublicId: "_ZeUTxl" }, { resourceId: d.resourceId });
    assert.equal(retry.status, 204);
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
    assert.equal((await emu.deliverWebhook(handler2, { userId: 1, channelPublicId: "_ZeUTxl" }, { resourceId: d.resourceId })).status, 204);
    assert.equal(events.length, 1);
  });

  test("handler options are checked when it is created", () => {
    for (const [options, field, rule] of [
      [{ adminKey: "k0k0k0k0", onEvent: 1 }, "onEvent", "params.type"],
      [{ adminKey: "k0k0k0k0" }, "onEvent", "params.type"],
      [{ onEvent() {} }, "adminKey", "params.required"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, seen: {} }, "seen.has", "params.type"],
      [{ adminKey: "k0k0k0k0", onEvent() {}, sen: new Set() }, "options.sen", "params.unknown_key"],
    ]) {
      assert.throws(() => createChannelWebhookHandler(options), (e) => e instanceof ValidationError && e.field === field && e.rule === rule, JSON.stringify(Object.keys(options)));
    }
    assert.doesNotThrow(() => createChannelWebhookHandler({ adminKey: "k0k0k0k0", onEvent() {}, seen: new Set() }));
  });
});

// CommonJS: require() of the built package and its testing kit, end to end.
"use strict";
const assert = require("node:assert/strict");
const { test } = require("node:test");
const { TalkChannelClient, KakaoApiError, KakaoTalkChannelError, ValidationError } = require("../pkg/node.cjs");
const { createKakaoEmulator } = require("../pkg/testing/index.cjs");

test("require(): client, error classes and emulator work together", async () => {
  const emu = createKakaoEmulator();
  emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
  emu.setRelation("42", "_ZeUTxl", "BLOCKED", { at: new Date("2021-05-17T05:25:01Z") });
  emu.addUser("43", { talkUser: false });
  const client = new TalkChannelClient({ adminKey: emu.adminKey, fetch: emu.fetch, baseUrl: emu.baseUrl });
  const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 42 });
  assert.deepEqual(r, {
    userId: "42",
    channels: [
      { channelPublicId: "_ZeUTxl", channelUuid: "@테스트", relation: "BLOCKED", createdAt: null, updatedAt: new Date("2021-05-17T05:25:01Z") },
    ],
  });
  assert.equal(emu.requests[0].target, "/v2/api/talk/channels?target_id_type=user_id&target_id=42&channel_ids=_ZeUTxl");
  const err = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 43 }).catch((e) => e);
  assert.ok(err instanceof KakaoApiError && err instanceof KakaoTalkChannelError);
  assert.equal(err.kind, "NotTalkUser");
  assert.throws(() => new TalkChannelClient({ baseUrl: "ftp://x" }), (e) => e instanceof ValidationError && e.rule === "base_url.scheme");
});

test("require() and import give the same exports: the very same functions and classes (one module instance)", async () => {
  const cjs = require("../pkg/node.cjs");
  const esm = await import("../pkg/node.js");
  const names = Object.keys(esm).sort();
  assert.deepEqual(Object.keys(cjs).sort(), names);
  assert.deepEqual(names, [
    "BulkOperationError",
    "KakaoApiError",
    "KakaoTalkChannelError",
    "NetworkError",
    "ResponseError",
    "TalkChannelClient",
    "TimeoutError",
    "ValidationError",
    "WebhookAuthError",
    "constructChannelWebhookEvent",
    "createChannelWebhookHandler",
    "createNodeWebhookHandler",
    "d1SeenStore",
    "kvSeenStore",
    "parseChannelWebhook",
    "redisSeenStore",
    "toNodeHandler",
    "validateCustomerFileUsers",
  ]);
  for (const n of names) {
    assert.equal(typeof cjs[n], "function", n);
    assert.equal(cjs[n], esm[n], n);
  }
});

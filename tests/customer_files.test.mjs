// Customer files through the built package against the emulator: exact bodies, validation,
// batching, BulkOperationError, view parsing (including Kakao's own sample), empty delete body.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BulkOperationError, KakaoApiError, TalkChannelClient, ValidationError } from "../pkg/node.js";
import { createKakaoEmulator, startKakaoEmulatorServer } from "../pkg/testing/index.js";

const CH = "_ZeUTxl";

function world() {
  const emu = createKakaoEmulator({ now: () => new Date("2019-02-03T04:22:33Z") });
  emu.addChannel(CH, { uuid: "@테스트" });
  // Users 1..6000 exist; those whose id is not a multiple of 10 added the channel.
  for (let id = 1; id <= 6000; id++) {
    if (id % 10 !== 0) emu.setRelation(id, CH, "ADDED");
    else emu.addUser(id);
  }
  emu.addUser(9001, { phone: "010-1234-5678" });
  emu.setRelation(9001, CH, "ADDED");
  return emu;
}

function clientFor(emu, extra = {}) {
  return new TalkChannelClient({ restApiKey: emu.restApiKey, baseUrl: emu.baseUrl, fetch: emu.fetch, maxRetries: 0, ...extra });
}

const users = (from, to, fields) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: String(from + i), ...(fields ? { fields } : {}) }));

describe("registerCustomerFile", () => {
  test("sends exact JSON with Korean keys and the REST API key; returns fileId", async () => {
    const emu = world();
    const client = clientFor(emu);
    const r = await client.registerCustomerFile({
      channelPublicId: CH,
      fileName: "vip고객리스트",
      schema: { birthday: "string", 성별: "string", age: "number", recent_purchase_date: "string", vipLevel: "number" },
    });
    assert.deepEqual(r, { fileId: 437 });
    const req = emu.requests.at(-1);
    assert.equal(req.method, "POST");
    assert.equal(req.target, "/v1/talkchannel/create/target_user_file");
    assert.equal(req.headers.authorization, `KakaoAK ${emu.restApiKey}`);
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(
      req.body,
      '{"channel_public_id":"_ZeUTxl","file_name":"vip고객리스트","schema":{"생년월일":"string","성별":"string","연령":"number","최근 구매일":"string","vipLevel":"number"}}',
    );
    assert.deepEqual([...emu.customerFile(437).schema.keys()], ["생년월일", "성별", "연령", "최근 구매일", "vipLevel"]);
  });

  test("schema rules refuse before any request", async () => {
    const emu = world();
    const client = clientFor(emu);
    const thirty = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`custom${i}`, "number"]));
    const cases = [
      [{ ...thirty, extra: "number" }, "schema", "schema.max_items"],
      [{}, "schema", "schema.min_items"],
      [{ 앱유저아이디: "number" }, "schema.앱유저아이디", "schema.forbidden_key"],
      [{ 전화번호: "string" }, "schema.전화번호", "schema.forbidden_key"],
      [{ vipLevel: "string" }, "schema.vipLevel", "schema.custom_key_type"],
      [{ 연령: "number", age: "number" }, "schema.age", "schema.duplicate_key"],
      [{ 연령: "integer" }, "schema.연령", "schema.value_type"],
      [{ 연령: 1 }, "schema.연령", "schema.value_type"],
    ];
    for (const [schema, field, rule] of cases) {
      const err = await client.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema }).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${JSON.stringify(schema)} → ${err}`);
      assert.deepEqual([err.field, err.rule], [field, rule], JSON.stringify(schema));
    }
    const ok = await client.registerCustomerFile({ channelPublicId: CH, fileName: "thirty", schema: thirty });
    assert.equal(typeof ok.fileId, "number");
    for (const [params, field, rule] of [
      [{ channelPublicId: CH, fileName: "", schema: { age: "number" } }, "fileName", "file_name.empty"],
      [{ channelPublicId: CH, fileName: "a\nb", schema: { age: "number" } }, "fileName", "file_name.format"],
      [{ channelPublicId: "_a b", fileName: "f", schema: { age: "number" } }, "channelPublicId", "channel_id.format"],
      [{ channelPublicId: CH, fileName: "f" }, "schema", "params.required"],
    ]) {
      const err = await client.registerCustomerFile(params).catch((e) => e);
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
    assert.equal(emu.requests.length, 1, "only the valid 30-entry schema was sent");
  });

  test("is retried on 429 but not on 503 (each call creates a file)", async () => {
    const emu = world();
    const client = clientFor(emu, { maxRetries: 2 });
    emu.faults.add({ path: "/v1/talkchannel/create/target_user_file", status: 503, body: { msg: "busy", code: -9798 } });
    const err = await client.registerCustomerFile({ channelPublicId: CH, fileName: "a", schema: { age: "number" } }).catch((e) => e);
    assert.ok(err instanceof KakaoApiError);
    assert.equal(emu.requests.length, 1);
    emu.faults.add({ path: "/v1/talkchannel/create/target_user_file", status: 429, headers: { "retry-after": "0" } });
    await client.registerCustomerFile({ channelPublicId: CH, fileName: "b", schema: { age: "number" } });
    assert.equal(emu.requests.length, 3);
  });

  test("needs the REST API key", async () => {
    const emu = world();
    const client = new TalkChannelClient({ adminKey: emu.adminKey, fetch: emu.fetch, baseUrl: emu.baseUrl });
    const err = await client.registerCustomerFile({ channelPublicId: CH, fileName: "a", schema: { age: "number" } }).catch((e) => e);
    assert.ok(err instanceof ValidationError);
    assert.deepEqual([err.field, err.rule], ["restApiKey", "auth.missing_rest_api_key"]);
    assert.equal(emu.requests.length, 0);
  });
});

describe("listCustomerFiles", () => {
  test("parses Kakao's own sample exactly", async () => {
    const sample = `{
  "results":[
    {
      "file_id":437,
      "file_name": "VIPCustomerList",
      "status":"USING",
      "update_at":"2019-02-03 13:22:33",
      "schema": "{\\"birthday\\":\\"string\\",\\"gender\\":\\"string\\",\\"age\\":\\"number\\"}"
    }
  ],
  "empty_slot":27,
  "using_slot":3
}`;
    let seen;
    const fetch = async (url, init) => {
      seen = { url, init };
      return new Response(sample, { status: 200, headers: { "content-type": "application/json;charset=UTF-8" } });
    };
    const client = new TalkChannelClient({ restApiKey: "rest-key-0001", fetch });
    const list = await client.listCustomerFiles({ channelPublicId: "_ZeUTxl" });
    assert.equal(seen.url, "https://kapi.kakao.com/v1/talkchannel/target_user_file?channel_public_id=_ZeUTxl");
    assert.equal(seen.init.method, "GET");
    assert.deepEqual(seen.init.headers, { Authorization: "KakaoAK rest-key-0001" });
    assert.deepEqual(list, {
      files: [
        {
          fileId: 437,
          fileName: "VIPCustomerList",
          status: "using",
          updatedAt: new Date("2019-02-03T04:22:33Z"),
          schema: { 생년월일: "string", 성별: "string", 연령: "number" },
        },
      ],
      emptySlot: 27,
      usingSlot: 3,
    });
  });

  test("reads the emulator's files: snake_case English keys back to Korean, slots add up to 30", async () => {
    const emu = world();
    const client = clientFor(emu);
    await client.registerCustomerFile({ channelPublicId: CH, fileName: "a", schema: { 구매금액: "number", 응모일: "string", points2: "number" } });
    await client.registerCustomerFile({ channelPublicId: CH, fileName: "b", schema: { 가입일: "string" } });
    const list = await client.listCustomerFiles({ channelPublicId: CH });
    assert.equal(emu.requests.at(-1).target, "/v1/talkchannel/target_user_file?channel_public_id=_ZeUTxl");
    assert.equal(list.emptySlot + list.usingSlot, 30);
    assert.equal(list.usingSlot, 2);
    assert.deepEqual(list.files.map((f) => f.schema), [{ 구매금액: "number", 응모일: "string", points2: "number" }, { 가입일: "string" }]);
    assert.deepEqual(list.files[0].updatedAt, new Date("2019-02-03T04:22:33Z"));
    assert.equal(list.files[0].status, "using");
  });

  test("an update_at Kakao never documented leaves updatedAt null and keeps the raw value under unreadable", async () => {
    const fetch = async () =>
      new Response('{"results":[{"file_id":1,"file_name":"a","status":"USING","update_at":"03/02/2019","schema":"{}"}],"empty_slot":29,"using_slot":1}');
    const client = new TalkChannelClient({ restApiKey: "rest-key-0001", fetch });
    const { files } = await client.listCustomerFiles({ channelPublicId: CH });
    assert.deepEqual(files, [{ fileId: 1, fileName: "a", status: "using", updatedAt: null, schema: {}, unreadable: { update_at: "03/02/2019" } }]);
  });
});

describe("addCustomerFileUsers / deleteCustomerFileUsers", () => {
  let emu;
  let server;
  let client;
  let fileId;
  before(async () => {
    emu = world();
    server = await startKakaoEmulatorServer({ emulator: emu });
    client = new TalkChannelClient({ restApiKey: emu.restApiKey, baseUrl: server.url, maxRetries: 0 });
    ({ fileId } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "vip", schema: { 생년월일: "string", 성별: "string", 연령: "number", vipLevel: "number" } }));
  });
  after(() => server.close());

  test("sends the exact JSON body and counts only users who added the channel", async () => {
    const r = await client.addCustomerFileUsers({
      fileId,
      channelPublicId: CH,
      userType: "app",
      users: [
        { id: "12345", fields: { 생년월일: "2000-01-01", gender: "남자", age: 19, vipLevel: 2 } },
        { id: 10n },
        { id: 7, fields: {} },
      ],
    });
    const req = emu.requests.at(-1);
    assert.equal(req.target, "/v1/talkchannel/update/target_users");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(
      req.body,
      '{"file_id":437,"channel_public_id":"_ZeUTxl","user_type":"app","users":[{"id":"12345","field":{"생년월일":"2000-01-01","성별":"남자","연령":19,"vipLevel":2}},{"id":"10","field":{}},{"id":"7","field":{}}]}',
    );
    // 12345 is unknown to Kakao and 10 has not added the channel: only 7 is added.
    assert.deepEqual(r, { fileId, requestCount: 3, successCount: 1, batches: [{ index: 0, userCount: 3, requestCount: 3, successCount: 1 }] });
    assert.deepEqual([...emu.customerFile(fileId).users.keys()], ["app:7"]);
  });

  test("phone ids are sent as given and matched to the registered phone", async () => {
    const r = await client.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "phone", users: [{ id: "+82 10-1234-5678" }] });
    assert.equal(r.successCount, 1);
    assert.match(emu.requests.at(-1).body, /"user_type":"phone","users":\[\{"id":"\+82 10-1234-5678","field":\{\}\}\]/);
  });

  test("4,001 users go out as 2,000 + 2,000 + 1, in order, results summed", async () => {
    const before = emu.requests.length;
    const r = await client.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", users: users(1, 4001, { age: 30 }) });
    const sent = emu.requests.slice(before).map((q) => JSON.parse(q.body).users);
    assert.deepEqual(sent.map((u) => u.length), [2000, 2000, 1]);
    assert.deepEqual([sent[0][0].id, sent[0][1999].id, sent[1][0].id, sent[2][0].id], ["1", "2000", "2001", "4001"]);
    assert.equal(r.requestCount, 4001);
    assert.equal(r.successCount, 4001 - 400);
    assert.deepEqual(r.batches.map((b) => [b.index, b.userCount, b.requestCount, b.successCount]), [
      [0, 2000, 2000, 1800],
      [1, 2000, 2000, 1800],
      [2, 1, 1, 1],
    ]);
  });

  test("a batch that still fails → BulkOperationError with the other batches succeeded and its exact ids; re-adding them completes the file", async () => {
    const { fileId: fid } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "bulk", schema: { age: "number" } });
    emu.faults.add({ path: "/v1/talkchannel/update/target_users", after: 1, status: 400, body: { msg: "internal", code: -2 } });
    const input = users(1, 5000);
    const err = await client.addCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", users: input }).catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.equal(err.name, "BulkOperationError");
    assert.deepEqual(err.succeeded, [
      { index: 0, userCount: 2000, requestCount: 2000, successCount: 1800 },
      { index: 2, userCount: 1000, requestCount: 1000, successCount: 900 },
    ]);
    assert.equal(err.failed.length, 1);
    assert.equal(err.failed[0].index, 1);
    assert.deepEqual(err.failed[0].userIds, input.slice(2000, 4000).map((u) => u.id));
    assert.ok(err.failed[0].error instanceof KakaoApiError);
    assert.equal(err.failed[0].error.code, -2);
    assert.match(err.message, /^1 of 3 batches failed \(2000 users not processed\)/);
    assert.equal(emu.customerFile(fid).users.size, 2700);
    const retry = await client.addCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", users: err.failed[0].userIds.map((id) => ({ id })) });
    assert.equal(retry.successCount, 1800);
    assert.equal(emu.customerFile(fid).users.size, 4500);
  });

  test("a failure that dooms every batch stops sending: before any success, the call rejects with that error", async () => {
    const before = emu.requests.length;
    const err = await client.addCustomerFileUsers({ fileId: 99999, channelPublicId: CH, userType: "app", users: users(1, 4500) }).catch((e) => e);
    assert.ok(err instanceof KakaoApiError, String(err));
    assert.equal(err.kind, "CustomerFileNotFound");
    assert.equal(err.endpoint, "POST /v1/talkchannel/update/target_users");
    assert.equal(emu.requests.length, before + 1, "after -816 the other batches are not sent");
  });

  test("after a success, a dooming failure gives BulkOperationError: the partial result, the failed and unsent batches' ids", async () => {
    let n = 0;
    const fetch = async (_url, init) => {
      n++;
      const sent = JSON.parse(init.body).users.length;
      if (n === 1) return Response.json({ file_id: fileId, request_count: sent, success_count: sent - 1 });
      return Response.json({ msg: "no such file", code: -816 }, { status: 400 });
    };
    const c = new TalkChannelClient({ restApiKey: emu.restApiKey, fetch, maxRetries: 0 });
    const events = [];
    const err = await c
      .addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", users: users(1, 6500) }, { onBatch: (e) => events.push(e) })
      .catch((e) => e);
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.equal(n, 2, "the batches after the dooming one are not sent");
    assert.deepEqual(err.partial, {
      fileId,
      requestCount: 2000,
      successCount: 1999,
      batches: [{ index: 0, userCount: 2000, requestCount: 2000, successCount: 1999 }],
    });
    assert.deepEqual(err.succeeded, err.partial.batches);
    assert.deepEqual(err.failed.map((f) => [f.index, f.userIds.length, f.error.kind]), [
      [1, 2000, "CustomerFileNotFound"],
      [2, 2000, "CustomerFileNotFound"],
      [3, 500, "CustomerFileNotFound"],
    ]);
    assert.equal(err.failed[1].userIds[0], "4001");
    assert.ok(err.failed[0].error instanceof KakaoApiError);
    assert.deepEqual(events.map((e) => [e.index, e.userIds.length, e.result?.successCount ?? e.error.kind]), [
      [0, 2000, 1999],
      [1, 2000, "CustomerFileNotFound"],
    ]);
  });

  test("user rules: exact field paths, both positions of a duplicate, nothing sent", async () => {
    const schema = { 연령: "number", gender: "string" };
    const many = users(1, 2000, { 연령: 30 });
    many[1742] = { id: "1743", fields: { 연령: "thirty" } };
    const cases = [
      [{ userType: "app", users: many, schema }, "users[1742].fields.연령", "fields.type_mismatch"],
      [{ userType: "app", users: [{ id: "5" }, { id: 6 }, { id: 5n }] }, "users[2].id", "users.duplicate_id"],
      [{ userType: "app", users: [{ id: "0" }] }, "users[0].id", "user_id.range"],
      [{ userType: "app", users: [{ id: 1, fields: { vip: "gold" } }] }, "users[0].fields.vip", "fields.custom_value_type"],
      [{ userType: "app", users: [{ id: 1, fields: { 지역: "서울" } }], schema }, "users[0].fields.지역", "fields.unknown_key"],
      [{ userType: "app", users: [{ id: 1, fields: { age: true } }] }, "users[0].fields.age", "fields.value_type"],
      [{ userType: "app", users: [{ id: 1, name: "x" }] }, "users[0].name", "params.unknown_key"],
      [{ userType: "phone", users: [{ id: 1012345678 }] }, "users[0].id", "phone.type"],
      [{ userType: "phone", users: [{ id: "010-12" }] }, "users[0].id", "phone.length"],
      [{ userType: "email", users: [{ id: "1" }] }, "userType", "user_type.value"],
      [{ userType: "app", users: [] }, "users", "users.empty"],
    ];
    const before = emu.requests.length;
    for (const [extra, field, rule] of cases) {
      const err = await client.addCustomerFileUsers({ fileId, channelPublicId: CH, ...extra }).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${field}: ${err}`);
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
    const dup = await client.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", users: [{ id: "5" }, { id: 6 }, { id: 5n }] }).catch((e) => e);
    assert.match(dup.message, /users\[2\]\.id.*users\[0\]\.id/);
    const badFile = await client.addCustomerFileUsers({ fileId: 1.5, channelPublicId: CH, userType: "app", users: [{ id: 1 }] }).catch((e) => e);
    assert.deepEqual([badFile.field, badFile.rule], ["fileId", "file_id.format"]);
    assert.equal(emu.requests.length, before, "no request for invalid input");
  });

  test("delete: exact body, Kakao's empty 200 body is success, users leave the file", async () => {
    const { fileId: fid } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "del", schema: { age: "number" } });
    await client.addCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", users: users(1, 2500) });
    assert.equal(emu.customerFile(fid).users.size, 2250);
    const r = await client.deleteCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", userIds: [...users(1, 2100).map((u) => u.id)] });
    assert.deepEqual(r, { requestCount: 2100, batches: [{ index: 0, userCount: 2000 }, { index: 1, userCount: 100 }] });
    const last = emu.requests.at(-1);
    assert.equal(last.target, "/v1/talkchannel/delete/target_users");
    assert.equal(last.body, `{"file_id":${fid},"channel_public_id":"_ZeUTxl","user_type":"app","user_ids":[${users(2001, 2100).map((u) => `"${u.id}"`).join(",")}]}`);
    assert.equal(emu.customerFile(fid).users.size, 360);
    const dup = await client.deleteCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", userIds: ["1", 1] }).catch((e) => e);
    assert.deepEqual([dup.field, dup.rule], ["userIds[1]", "users.duplicate_id"]);
  });
});

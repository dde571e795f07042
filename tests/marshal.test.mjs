// The users of an add call reach Rust in one packed string (pkg-template/marshal.js) when they
// have the common shape, and element by element otherwise. Both paths must send the same
// bytes and report the same errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TalkChannelClient, ValidationError } from "../pkg/node.js";
import { __packIds, __packUsers } from "../pkg/marshal.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const CH = "_ZeUTxl";

function client() {
  const sent = [];
  const fetch = async (_url, init) => {
    sent.push(init.body);
    return new Response('{"file_id":1,"request_count":1,"success_count":1}', { status: 200 });
  };
  return { sent, kakao: new TalkChannelClient({ restApiKey: "rest0api0key0for0marshal0tests", fetch }) };
}

const add = (kakao, users) => kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users });

describe("packed users (one crossing) and the element-by-element path agree", () => {
  test("the fast path takes numbers bit for bit, strings with quotes and non-ASCII, bigints", async () => {
    const users = [
      { id: 9007199254740991, fields: { 구매금액: 1234.5, age: -0, point: 1e21, gender: 'VIP "남" \\ \n' } },
      { id: 9223372036854775807n },
      { id: "42", fields: {} },
    ];
    assert.ok(Array.isArray(__packUsers(users)), "takes the packed path");
    const { sent, kakao } = client();
    await add(kakao, users);
    assert.equal(
      sent[0],
      '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":[' +
        '{"id":"9007199254740991","field":{"구매금액":1234.5,"연령":0,"포인트":1000000000000000000000,"성별":"VIP \\"남\\" \\\\ \\n"}},' +
        '{"id":"9223372036854775807","field":{}},{"id":"42","field":{}}]}',
    );
  });

  test("the same users sent through the slow path (a Proxy array) give the same body", async () => {
    const users = [{ id: "7", fields: { age: 30, birthday: "2000-01-01" } }, { id: 8 }];
    const proxied = new Proxy(users, {});
    const a = client();
    const b = client();
    await add(a.kakao, users);
    await add(b.kakao, proxied);
    assert.equal(a.sent[0], b.sent[0]);
  });

  for (const [name, users, field, rule] of [
    ["a boolean field value", [{ id: "1" }, { id: "2", fields: { age: true } }], "users[1].fields.age", "fields.value_type"],
    ["an unknown user key", [{ id: "1", name: "x" }], "users[0].name", "params.unknown_key"],
    ["a null user", [{ id: "1" }, null], "users[1]", "params.required"],
    ["fields as an array", [{ id: "1", fields: [] }], "users[0].fields", "params.type"],
    ["an id of the wrong type", [{ id: true }], "users[0].id", "user_id.type"],
    ["NaN", [{ id: "1", fields: { age: NaN } }], "users[0].fields.age", "fields.value_type"],
    ["a duplicate id", [{ id: 5 }, { id: "5" }], "users[1].id", "users.duplicate_id"],
    ["a bad id", [{ id: "1" }, { id: "12a" }], "users[1].id", "user_id.format"],
    ["a NUL in a value", [{ id: "1", fields: { gender: "a\0b" } }], null, null],
    ["a throwing getter", [{ id: "1", get fields() { throw new Error("boom"); } }], "users[0]", "params.unreadable"],
  ]) {
    test(`${name}: same error as element by element`, async () => {
      const { kakao } = client();
      const err = await add(kakao, users).then(() => null, (e) => e);
      if (field === null) return; // accepted or refused by the core rules: only the path matters
      assert.ok(err instanceof ValidationError, `${name}: ${err}`);
      assert.equal(err.field, field);
      if (rule !== "user_id.format") assert.equal(err.rule, rule);
    });
  }
});

describe("packed id lists (multi check, delete) and the element-by-element path agree", () => {
  function multiWorld() {
    const emu = createKakaoEmulator();
    emu.addChannel(CH);
    for (const id of ["1", "2", "9007199254740991", "9223372036854775807"]) emu.setRelation(id, CH, "ADDED");
    const kakao = new TalkChannelClient({ adminKey: emu.adminKey, baseUrl: emu.baseUrl, fetch: emu.fetch });
    return { emu, kakao };
  }

  test("numbers, strings and bigints: same users, same query, both paths", async () => {
    const ids = [1, "2", 9007199254740991, 9223372036854775807n, "2"];
    assert.ok(Array.isArray(__packIds(ids)), "takes the packed path");
    const a = multiWorld();
    const b = multiWorld();
    const fast = await a.kakao.checkChannelRelationshipMulti({ userIds: ids, channelIds: [CH] });
    const slow = await b.kakao.checkChannelRelationshipMulti({ userIds: new Proxy(ids, {}), channelIds: [CH] });
    assert.deepEqual(fast, slow);
    assert.equal(a.emu.requests.at(-1).target, b.emu.requests.at(-1).target);
    assert.deepEqual(fast.users.map((u) => u.userId), ["1", "2", "9007199254740991", "9223372036854775807"]);
  });

  for (const [name, ids, field, rule] of [
    ["a boolean", ["1", true], "userIds[1]", "user_id.type"],
    ["a non-decimal string", ["1", "2", "12a"], "userIds[2]", null],
    ["zero", [5, 0], "userIds[1]", null],
    ["an unsafe number", [2 ** 53], "userIds[0]", null],
  ]) {
    test(`${name}: the error names the element, both paths`, async () => {
      for (const list of [ids, new Proxy(ids, {})]) {
        const { kakao } = multiWorld();
        const err = await kakao.checkChannelRelationshipMulti({ userIds: list }).then(() => null, (e) => e);
        assert.ok(err instanceof ValidationError, `${name}: ${err}`);
        assert.equal(err.field, field);
        if (rule) assert.equal(err.rule, rule);
      }
    });
  }

  test("delete: the same body through both paths", async () => {
    const bodies = [];
    for (const list of [["1", 2, 3n], new Proxy(["1", 2, 3n], {})]) {
      const fetch = async (_url, init) => {
        bodies.push(init.body);
        return new Response("", { status: 200 });
      };
      const kakao = new TalkChannelClient({ restApiKey: "rest0api0key0for0marshal0tests", fetch });
      await kakao.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: list });
    }
    assert.equal(bodies[0], bodies[1]);
    assert.match(bodies[0], /"user_ids":\["1","2","3"\]/);
  });
});

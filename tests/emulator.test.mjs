// The emulator follows Kakao's REST doc where the SDK's own tests do not reach: the document's
// add-users sample (an English key for a Korean schema key), numeric user_ids on delete
// ("JSON[]"), capitalised schema types ("Value type: String or Number"), the delete answer's
// `Content-Length: 0`, and Kakao-style `{msg, code}` bodies on 404 and 405. Raw requests, no SDK.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createKakaoEmulator, startKakaoEmulatorServer } from "../pkg/testing/index.js";

const CH = "_ZeUTxl";

function world() {
  const emu = createKakaoEmulator();
  emu.addChannel(CH);
  emu.setRelation("12345", CH, "ADDED");
  emu.setRelation("67890", CH, "ADDED");
  return emu;
}

/** Kakao's curl samples as fetch calls: `path`, JSON `body` (an object) or none. */
function kakao(emu, fetch, base, path, body) {
  const headers = { Authorization: `KakaoAK ${emu.restApiKey}` };
  if (body === undefined) return fetch(`${base}${path}`, { headers });
  headers["Content-Type"] = "application/json";
  return fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

for (const over of ["in memory", "over loopback HTTP"]) {
  describe(`the document's own samples are accepted (${over})`, () => {
    let emu;
    let server;
    let call;
    before(async () => {
      emu = world();
      if (over === "in memory") {
        call = (path, body) => kakao(emu, emu.fetch, emu.baseUrl, path, body);
      } else {
        server = await startKakaoEmulatorServer({ emulator: emu });
        call = (path, body) => kakao(emu, fetch, server.url, path, body);
      }
    });
    after(() => server?.close());

    test('register with "String"/"Number" types, add the doc sample ("age": 19 for 연령), delete numeric user_ids: 200s, Content-Length: 0 on delete', async () => {
      // "Value type: String or Number": capitalised as the document writes them.
      let res = await call("/v1/talkchannel/create/target_user_file", { channel_public_id: CH, file_name: "vip고객리스트", schema: { 생년월일: "String", 성별: "string", 연령: "Number" } });
      assert.equal(res.status, 200, await res.clone().text());
      const { file_id: fileId } = await res.json();
      assert.deepEqual([...emu.customerFile(fileId).schema], [["생년월일", "string"], ["성별", "string"], ["연령", "number"]]);
      // The add-users sample, verbatim but for the file id.
      res = await call("/v1/talkchannel/update/target_users", {
        file_id: fileId,
        channel_public_id: CH,
        user_type: "app",
        users: [{ id: "12345", field: { 생년월일: "2000-01-01", 성별: "남자", age: 19 } }, { id: "67890", field: { "Purchase Amount": 1 } }],
      });
      assert.equal(res.status, 400, "purchase amount is not in this file's schema");
      res = await call("/v1/talkchannel/update/target_users", {
        file_id: fileId,
        channel_public_id: CH,
        user_type: "app",
        users: [{ id: "12345", field: { 생년월일: "2000-01-01", 성별: "남자", age: 19 } }, { id: "67890", field: { AGE: 20 } }],
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { file_id: fileId, request_count: 2, success_count: 2 });
      // "user_ids JSON[]": numbers as well as strings.
      res = await call("/v1/talkchannel/delete/target_users", { file_id: fileId, channel_public_id: CH, user_type: "app", user_ids: [12345, "67890"] });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), "0");
      assert.equal(await res.text(), "");
      assert.equal(emu.customerFile(fileId).users.size, 0);
      // Every complete answer says its length.
      res = await call(`/v1/talkchannel/target_user_file?channel_public_id=${CH}`);
      const text = await res.text();
      assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
    });

    test("user_ids that are neither strings nor integers are still refused", async () => {
      const { file_id: fileId } = await (await call("/v1/talkchannel/create/target_user_file", { channel_public_id: CH, file_name: `f${Math.random()}`, schema: { 연령: "number" } })).json();
      for (const bad of [[1.5], [null], [{}], [""]]) {
        const res = await call("/v1/talkchannel/delete/target_users", { file_id: fileId, channel_public_id: CH, user_type: "app", user_ids: bad });
        assert.equal(res.status, 400, JSON.stringify(bad));
        assert.equal((await res.json()).code, -2);
      }
    });

    test("user ids in an add are matched in their canonical form: leading zeros and spaces read away, past 2^63 - 1 or not digits never matched", async () => {
      emu.setRelation("9223372036854775807", CH, "ADDED");
      emu.setRelation("123456789012345678", CH, "ADDED");
      const { file_id: fileId } = await (await call("/v1/talkchannel/create/target_user_file", { channel_public_id: CH, file_name: `ids${Math.random()}`, schema: { 연령: "number" } })).json();
      const ids = ["12345", "0012345", " 12345 ", "9223372036854775807", "123456789012345678", "9223372036854775808", "0", "12a", "+12345"];
      const res = await call("/v1/talkchannel/update/target_users", { file_id: fileId, channel_public_id: CH, user_type: "app", users: ids.map((id) => ({ id, field: { 연령: 1 } })) });
      assert.deepEqual(await res.json(), { file_id: fileId, request_count: ids.length, success_count: 5 });
      assert.deepEqual([...emu.customerFile(fileId).users.keys()], ids.slice(0, 5).map((id) => `app:${id}`));
    });

    test("a request body is read as UTF-8 text: a leading BOM dropped, a bad byte replaced", async () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","user_ids":["'), 0xff, ...new TextEncoder().encode('"]}')]);
      const base = server ? server.url : emu.baseUrl;
      const res = await (server ? fetch : emu.fetch)(`${base}/v1/talkchannel/delete/target_users`, {
        method: "POST",
        headers: { Authorization: `KakaoAK ${emu.restApiKey}`, "Content-Type": "application/json" },
        body: bytes,
      });
      // Parsed (the BOM gone), so the answer is about the file, not the JSON.
      assert.deepEqual(await res.json(), { msg: "customer file 1 does not exist for channel _ZeUTxl", code: -816 });
      assert.equal(emu.requests.at(-1).body, '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","user_ids":["\uFFFD"]}');
    });

    test("a delayed add: its body is parsed while the delay runs, the file changes only when it ends; a bad body gets the same 400 after it; an abort during it adds nothing", async () => {
      const { file_id: fileId } = await (await call("/v1/talkchannel/create/target_user_file", { channel_public_id: CH, file_name: `d${Math.random()}`, schema: { 연령: "number" } })).json();
      const add = { file_id: fileId, channel_public_id: CH, user_type: "app", users: [{ id: "12345", field: { 연령: 7 } }] };
      const text = JSON.stringify(add);
      // JSON.parse watched (this process is the emulator's too): the body's parse is seen while
      // the answer is still 300 ms away, and the file is untouched until it comes.
      const parse = JSON.parse;
      const parsed = [];
      JSON.parse = (t, ...rest) => {
        if (t === text) parsed.push(performance.now());
        return parse(t, ...rest);
      };
      try {
        emu.faults.add({ path: "/v1/talkchannel/update/target_users", delayMs: 300 });
        const pending = call("/v1/talkchannel/update/target_users", add);
        const t0 = performance.now();
        while (emu.requests.at(-1)?.body !== text || parsed.length === 0) {
          assert.ok(performance.now() - t0 < 250, "the body was not parsed within 250 ms of a 300 ms delay");
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.equal(emu.customerFile(fileId).users.size, 0, "nothing added during the delay");
        const res = await pending;
        assert.deepEqual(await res.json(), { file_id: fileId, request_count: 1, success_count: 1 });
        assert.deepEqual([...emu.customerFile(fileId).users], [["app:12345", { 연령: 7 }]]);
        assert.equal(parsed.length, 1, "parsed once");
      } finally {
        JSON.parse = parse;
      }
      // Not JSON: the same answer as without a delay, after it.
      emu.faults.add({ path: "/v1/talkchannel/update/target_users", delayMs: 50 });
      const base = server ? server.url : emu.baseUrl;
      const post = (body, signal) =>
        (server ? fetch : emu.fetch)(`${base}/v1/talkchannel/update/target_users`, {
          method: "POST",
          headers: { Authorization: `KakaoAK ${emu.restApiKey}`, "Content-Type": "application/json" },
          body,
          signal,
        });
      let res = await post('{"file_id":');
      assert.equal(res.status, 400);
      assert.match((await res.json()).msg, /^invalid JSON body: /);
      res = await post("[1]");
      assert.deepEqual(await res.json(), { msg: "invalid JSON body: not an object", code: -2 });
      // Aborted during the delay: the add never happens.
      emu.faults.add({ path: "/v1/talkchannel/update/target_users", delayMs: 5_000 });
      const controller = new AbortController();
      const aborted = post(JSON.stringify({ ...add, users: [{ id: "67890", field: { 연령: 8 } }] }), controller.signal);
      await new Promise((r) => setTimeout(r, 100));
      controller.abort();
      await assert.rejects(aborted);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual([...emu.customerFile(fileId).users.keys()], ["app:12345"]);
      assert.equal(emu.faults.pending, 0);
    });

    test("404 and 405 answer Kakao-style {msg, code}", async () => {
      let res = await call("/v1/no/such/api");
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { msg: "no such API: /v1/no/such/api", code: -3 });
      res = await call("/v1/talkchannel/delete/target_users");
      assert.equal(res.status, 405);
      assert.deepEqual(await res.json(), { msg: "method not allowed: GET /v1/talkchannel/delete/target_users", code: -2 });
    });
  });
}

test("a fault whose times or after is given as undefined takes the default: it fires once, on the first matching request", async () => {
  const emu = world();
  const path = `/v1/talkchannel/target_user_file?channel_public_id=${CH}`;
  emu.faults.add({ method: "GET", path: "/v1/talkchannel/target_user_file", status: 503, body: { msg: "busy", code: -9798 }, times: undefined, after: undefined });
  assert.equal(emu.faults.pending, 1);
  const first = await kakao(emu, emu.fetch, emu.baseUrl, path);
  assert.equal(first.status, 503);
  assert.deepEqual(await first.json(), { msg: "busy", code: -9798 });
  assert.equal(emu.faults.pending, 0);
  const second = await kakao(emu, emu.fetch, emu.baseUrl, path);
  assert.equal(second.status, 200);
});

// Secrets never leak, hostile input is refused before any request, the browser guard holds.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { describe, test } from "node:test";
import { BulkOperationError, KakaoApiError, NetworkError, ResponseError, TalkChannelClient, ValidationError } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const ADMIN = "sEcReTadmin0key0planted0everywhere1";
const REST = "sEcReTrest0key0planted0everywhere22";
const TOKEN = "sEcReT-token-planted-everywhere-333";
const SECRETS = [ADMIN, REST, TOKEN];
const CH = "_ZeUTxl";

/** Every way an error is shown: message, toString, stack, JSON, console/inspect (with cause). */
function renderings(err) {
  return [
    err.message,
    String(err),
    err.stack ?? "",
    JSON.stringify(err),
    inspect(err, { depth: 10, showHidden: true }),
    JSON.stringify(Object.fromEntries(Object.entries(err))),
  ];
}

function assertNoSecret(value, where) {
  for (const text of Array.isArray(value) ? value : [value]) {
    for (const s of SECRETS) assert.ok(!String(text).includes(s), `${where} leaks a secret:\n${text}`);
  }
}

function world() {
  const emu = createKakaoEmulator({ adminKey: ADMIN, restApiKey: REST });
  emu.addChannel(CH);
  emu.setRelation(1, CH, "ADDED");
  return emu;
}

describe("keys and tokens never leak", () => {
  test("a Kakao error body that echoes the header, in msg, extra fields and nested values", async () => {
    const emu = world();
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch: emu.fetch, baseUrl: emu.baseUrl, maxRetries: 0 });
    emu.faults.add({
      status: 401,
      body: {
        msg: `wrong appKey(${ADMIN}) format; Authorization: KakaoAK ${ADMIN}`,
        code: -401,
        echoed_header: `KakaoAK ${ADMIN}`,
        extras: { [ADMIN]: [ADMIN, { deep: ADMIN }] },
      },
    });
    const err = await client.checkChannelRelationship({ channelIds: [CH], userId: 1 }).catch((e) => e);
    assert.ok(err instanceof KakaoApiError);
    assert.equal(err.msg, "wrong appKey([REDACTED]) format; Authorization: KakaoAK [REDACTED]");
    assert.equal(err.details.echoedHeader, "KakaoAK [REDACTED]");
    assertNoSecret(renderings(err), "KakaoApiError");
  });

  test("a JSON-escaped echo (\\/) is redacted after decoding", async () => {
    const slashKey = "sEcReT/with/slash/key0000";
    const fetch = async () => new Response(`{"msg":"bad key ${slashKey.replaceAll("/", "\\/")}","code":-401}`, { status: 401 });
    const client = new TalkChannelClient({ adminKey: slashKey, fetch, maxRetries: 0 });
    const err = await client.checkChannelRelationship({ channelIds: [CH], userId: 1 }).catch((e) => e);
    assert.equal(err.msg, "bad key [REDACTED]");
    for (const t of renderings(err)) assert.ok(!t.includes(slashKey), t);
  });

  test("a key echoed percent-encoded in any way (encodeURIComponent, RFC 3986, lower-case hex) is redacted", async () => {
    const key = "sEcReT+key/with=chars!(0)";
    const rfc3986 = key.replace(/[^A-Za-z0-9\-_.~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const lowerHex = (t) => t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    const forms = [encodeURIComponent(key), rfc3986, lowerHex(rfc3986), lowerHex(encodeURIComponent(key))];
    assert.equal(new Set(forms).size, 4, "four different spellings");
    const msg = forms.map((f, i) => `${i}=${f}`).join("&");
    const fetch = async () => new Response(JSON.stringify({ msg, code: -401, url: `https://x/?key=${forms[0]}` }), { status: 401 });
    const client = new TalkChannelClient({ adminKey: key, fetch, maxRetries: 0 });
    const err = await client.checkChannelRelationship({ channelIds: [CH], userId: 1 }).catch((e) => e);
    assert.equal(err.msg, "0=[REDACTED]&1=[REDACTED]&2=[REDACTED]&3=[REDACTED]");
    assert.equal(err.details.url, "https://x/?key=[REDACTED]");
    for (const t of renderings(err)) for (const f of [key, ...forms]) assert.ok(!t.includes(f), t);
  });

  test("an HTML error page or a 2xx garbage body echoing the key (bodySnippet)", async () => {
    for (const [status, Cls] of [[502, KakaoApiError], [200, ResponseError]]) {
      const fetch = async () => new Response(`<html>proxy saw Authorization: KakaoAK ${ADMIN}</html>`, { status });
      const client = new TalkChannelClient({ adminKey: ADMIN, fetch, maxRetries: 0 });
      const err = await client.checkChannelRelationship({ channelIds: [CH], userId: 1 }).catch((e) => e);
      assert.ok(err instanceof Cls, String(err));
      assert.equal(err.bodySnippet, "<html>proxy saw Authorization: KakaoAK [REDACTED]</html>");
      assertNoSecret(renderings(err), Cls.name);
    }
  });

  test("an access token echoed back, and a fetch whose error message contains the headers", async () => {
    const emu = world();
    emu.faults.add({ status: 401, body: { msg: `token ${TOKEN} expired`, code: -401 } });
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch: emu.fetch, baseUrl: emu.baseUrl, maxRetries: 0 });
    const err = await client.checkChannelRelationship({ channelIds: [CH], accessToken: TOKEN }).catch((e) => e);
    assert.equal(err.msg, "token [REDACTED] expired");
    assertNoSecret(renderings(err), "token echo");

    const leakyFetch = async (_url, init) => {
      throw new TypeError(`connect ECONNREFUSED with headers ${JSON.stringify(init.headers)}`);
    };
    const c2 = new TalkChannelClient({ adminKey: ADMIN, fetch: leakyFetch, maxRetries: 0 });
    const net = await c2.checkChannelRelationship({ channelIds: [CH], userId: 1 }).catch((e) => e);
    assert.ok(net instanceof NetworkError);
    assert.match(net.message, /KakaoAK \[REDACTED\]/);
    assert.equal(net.cause.name, "TypeError");
    assertNoSecret(renderings(net), "NetworkError");
  });

  test("a key passed by mistake where an id or name belongs is not echoed", async () => {
    const emu = world();
    const client = new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST, fetch: emu.fetch, baseUrl: emu.baseUrl });
    const errors = [
      await client.checkChannelRelationship({ channelIds: [CH], userId: ADMIN }).catch((e) => e),
      await client.checkChannelRelationship({ channelIds: [`${ADMIN} `], userId: 1 }).catch((e) => e),
      await client.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: { [REST]: "string" } }).catch((e) => e),
      await client.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "phone", users: [{ id: REST }] }).catch((e) => e),
      await client.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: REST, users: [{ id: 1 }] }).catch((e) => e),
      await client.checkChannelRelationshipMulti({ userIds: [1, ADMIN.slice(0, 30)] }).catch((e) => e),
    ];
    for (const err of errors) {
      assert.ok(err instanceof ValidationError, String(err));
      assertNoSecret([...renderings(err), err.field], `ValidationError ${err.rule}`);
      // Not even a prefix of a key may show.
      for (const t of renderings(err)) assert.ok(!t.includes(ADMIN.slice(0, 12)) && !t.includes(REST.slice(0, 12)), t);
    }
    assert.equal(emu.requests.length, 0);
  });

  test("BulkOperationError and its per-batch errors", async () => {
    const emu = world();
    for (let id = 1; id <= 4000; id++) emu.setRelation(id, CH, "ADDED");
    const client = new TalkChannelClient({ restApiKey: REST, fetch: emu.fetch, baseUrl: emu.baseUrl, maxRetries: 0 });
    const { fileId } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: { age: "number" } });
    emu.faults.add({ path: "/v1/talkchannel/update/target_users", after: 1, status: 400, body: { msg: `rejected KakaoAK ${REST}`, code: -2 } });
    const users = Array.from({ length: 4000 }, (_, i) => ({ id: i + 1 }));
    const err = await client.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", users }).catch((e) => e);
    assert.ok(err instanceof BulkOperationError);
    assert.equal(err.failed[0].error.msg, "rejected KakaoAK [REDACTED]");
    assertNoSecret(renderings(err), "BulkOperationError");
    assertNoSecret(renderings(err.failed[0].error), "batch error");
  });

  test("the client itself shows no key: console.log, util.inspect, JSON.stringify, String", () => {
    const client = new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST });
    assertNoSecret(
      [inspect(client, { showHidden: true, depth: 10, getters: true }), JSON.stringify(client), String(client), Object.keys(client).join(",")],
      "client",
    );
    const lines = [];
    const original = console.log;
    console.log = (...args) => lines.push(args.map((a) => inspect(a, { showHidden: true })).join(" "));
    try {
      console.log(client);
    } finally {
      console.log = original;
    }
    assertNoSecret(lines, "console.log(client)");
  });
});

describe("hostile input is refused before any request", () => {
  test("keys with CR, LF, NUL, other control characters or non-ASCII", () => {
    for (const bad of ["abc\r\nX-Injected: 1", "abc\n", "abc\0def", "abc\u0007", "abc\u007f", "키0123456789", "abc def", ""]) {
      for (const option of ["adminKey", "restApiKey"]) {
        assert.throws(
          () => new TalkChannelClient({ [option]: bad }),
          (e) => e instanceof ValidationError && e.field === option && e.rule.startsWith("secret.") && !e.message.includes(bad || "\u0000none"),
          JSON.stringify(bad),
        );
      }
    }
  });

  test("tokens, ids, channel ids and file names with control characters", async () => {
    const emu = world();
    const client = new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST, fetch: emu.fetch, baseUrl: emu.baseUrl });
    const cases = [
      [client.checkChannelRelationship({ channelIds: [CH], accessToken: "tok\r\nX: 1" }), "accessToken", "secret.format"],
      [client.checkChannelRelationship({ channelIds: [CH], accessToken: "tök" }), "accessToken", "secret.format"],
      [client.checkChannelRelationship({ channelIds: ["_a\nb"], userId: 1 }), "channelIds[0]", "channel_id.format"],
      [client.checkChannelRelationship({ channelIds: [CH], userId: "1\r\n" }), "userId", "user_id.format"],
      [client.checkChannelRelationshipMulti({ userIds: ["1\u0000"] }), "userIds[0]", "user_id.format"],
      [client.listCustomerFiles({ channelPublicId: "_a\u0000" }), "channelPublicId", "channel_id.format"],
      [client.registerCustomerFile({ channelPublicId: CH, fileName: "a\u0000b", schema: { age: "number" } }), "fileName", "file_name.format"],
      [client.registerCustomerFile({ channelPublicId: CH, fileName: "a", schema: { "a\r\nb": "number" } }), "schema.a\r\nb", "schema.key_format"],
      [client.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "phone", userIds: ["010\n12345678"] }), "userIds[0]", "phone.format"],
    ];
    for (const [promise, field, rule] of cases) {
      const err = await promise.catch((e) => e);
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
    assert.equal(emu.requests.length, 0);
  });

  test("baseUrl must be http(s) without credentials, query or fragment", () => {
    for (const [url, rule] of [
      ["javascript:alert(1)", "base_url.scheme"],
      ["file:///etc/passwd", "base_url.scheme"],
      ["https://user:pass@kapi.kakao.com", "base_url.credentials"],
      ["https://kapi.kakao.com?debug=1", "base_url.format"],
      ["https://kapi.kakao.com#x", "base_url.format"],
      ["https://kapi.kakao.com\r\nHost: evil", "base_url.format"],
    ]) {
      assert.throws(() => new TalkChannelClient({ baseUrl: url }), (e) => e instanceof ValidationError && e.rule === rule, url);
    }
  });
});

describe("browser guard", () => {
  test("secret keys are refused where window and document exist, unless dangerouslyAllowBrowser", () => {
    globalThis.window = {};
    globalThis.document = {};
    try {
      for (const option of ["adminKey", "restApiKey"]) {
        assert.throws(
          () => new TalkChannelClient({ [option]: ADMIN }),
          (e) => e instanceof ValidationError && e.rule === "browser.secret_key" && !e.message.includes(ADMIN),
        );
      }
      assert.ok(new TalkChannelClient({ adminKey: ADMIN, dangerouslyAllowBrowser: true }));
      assert.ok(new TalkChannelClient({}), "no key, no guard");
    } finally {
      delete globalThis.window;
      delete globalThis.document;
    }
    assert.ok(new TalkChannelClient({ adminKey: ADMIN }), "servers are fine");
  });

  test("a browser worker (self and importScripts, no window) is refused too; self alone (Deno, Bun, workerd) is a server", () => {
    globalThis.self = globalThis;
    try {
      globalThis.importScripts = () => {};
      try {
        assert.throws(
          () => new TalkChannelClient({ restApiKey: REST }),
          (e) => e instanceof ValidationError && e.rule === "browser.secret_key" && !e.message.includes(REST),
        );
        assert.ok(new TalkChannelClient({ restApiKey: REST, dangerouslyAllowBrowser: true }));
      } finally {
        delete globalThis.importScripts;
      }
      assert.ok(new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST }), "self alone is not a browser");
    } finally {
      delete globalThis.self;
    }
  });
});

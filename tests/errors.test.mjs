// Errors: NetworkError's message names the system error and host (never a key or a user id),
// every error survives JSON.stringify with its name and message (toJSON), and
// BulkOperationError carries the endpoint and the attempts of all its batches.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { BulkOperationError, KakaoApiError, KakaoTalkChannelError, NetworkError, TalkChannelClient, ValidationError } from "../pkg/node.js";

const ADMIN = "errors0admin0key0000000000000001";
const REST = "errors0rest0key00000000000000001";
const quiet = { logLevel: "off" };
const USER = 987654321987;

/** A loopback port with nothing listening. */
async function closedPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const caught = (p) => p.then(
  () => assert.fail("resolved"),
  (e) => e,
);

describe("NetworkError's message", () => {
  test("connection refused: the code and host:port, from err.cause.cause", async () => {
    const port = await closedPort();
    const client = new TalkChannelClient({ adminKey: ADMIN, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0, ...quiet });
    const e = await caught(client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: USER }));
    assert.ok(e instanceof NetworkError);
    assert.equal(e.message, `Network error: fetch failed (ECONNREFUSED 127.0.0.1:${port})`);
    assert.equal(e.cause.cause.code, "ECONNREFUSED");
    assert.ok(!e.message.includes(String(USER)) && !e.message.includes(ADMIN));
  });

  test("DNS failure (as undici reports it): the code and host name", async () => {
    const fetch = async () => {
      const dns = Object.assign(new Error("getaddrinfo ENOTFOUND kapi.kakao.com"), { errno: -3008, code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "kapi.kakao.com" });
      throw new TypeError("fetch failed", { cause: dns });
    };
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch, maxRetries: 0, ...quiet });
    const e = await caught(client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: USER }));
    assert.equal(e.message, "Network error: fetch failed (ENOTFOUND kapi.kakao.com)");
  });

  test("a cause without a code: its message; a key in it is redacted", async () => {
    const fetch = async () => {
      throw new TypeError("fetch failed", { cause: new Error(`socket hang up near ${ADMIN}`) });
    };
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch, maxRetries: 0, ...quiet });
    const e = await caught(client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: USER }));
    assert.equal(e.message, "Network error: fetch failed (socket hang up near [REDACTED])");
    const plain = new TalkChannelClient({ adminKey: ADMIN, fetch: async () => Promise.reject(new Error("offline")), maxRetries: 0, ...quiet });
    assert.equal((await caught(plain.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }))).message, "Network error: offline");
  });
});

describe("JSON.stringify(error)", () => {
  test("ValidationError: name, message, field, rule", () => {
    let e;
    try {
      new TalkChannelClient({ timeoutMs: 0 });
    } catch (x) {
      e = x;
    }
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), { name: "ValidationError", message: e.message, field: "timeoutMs", rule: "options.timeout_ms" });
    assert.match(e.message, /^timeoutMs: /);
  });

  test("KakaoApiError: name, message and every field; NetworkError: its cause chain as data", async () => {
    const fetch = async () => new Response('{"msg":"NotTalkUser","code":-501}', { status: 400, headers: { "x-trace": "t1" } });
    const api = await caught(new TalkChannelClient({ adminKey: ADMIN, fetch, ...quiet }).checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }));
    assert.ok(api instanceof KakaoApiError);
    const json = JSON.parse(JSON.stringify(api));
    assert.deepEqual(json, {
      name: "KakaoApiError",
      message: api.message,
      status: 400,
      code: -501,
      msg: "NotTalkUser",
      kind: "NotTalkUser",
      retryable: false,
      details: {},
      endpoint: "GET /v2/api/talk/channels",
      attempts: 1,
      headers: { "content-type": "text/plain;charset=UTF-8", "x-trace": "t1" },
    });
    const net = await caught(
      new TalkChannelClient({
        adminKey: ADMIN,
        maxRetries: 0,
        ...quiet,
        fetch: async () => {
          throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED", address: "10.0.0.1", port: 443 }) });
        },
      }).checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(net)), {
      name: "NetworkError",
      message: "Network error: fetch failed (ECONNREFUSED 10.0.0.1:443)",
      endpoint: "GET /v2/api/talk/channels",
      attempts: 1,
      cause: { name: "TypeError", message: "fetch failed", cause: { name: "Error", message: "connect ECONNREFUSED 10.0.0.1:443", code: "ECONNREFUSED", address: "10.0.0.1", port: 443 } },
    });
  });
});

describe("an attempt's answer crossing into wasm", () => {
  test("its status, Retry-After, headers and body arrive whole, newlines and astral characters included", async () => {
    // A Response-like answer (a real Headers refuses a newline in a value).
    const retryAfter = "😀\n1";
    const all = { "retry-after": retryAfter, "x-note": "é\n😀" };
    const answer = {
      status: 400,
      headers: {
        get: (/** @type {string} */ n) => all[n] ?? null,
        forEach: (/** @type {Function} */ f) => {
          for (const [k, v] of Object.entries(all)) f(v, k);
        },
      },
      text: async () => '{"msg":"😀 x\\n",\n"code":-10}',
    };
    const e = await caught(new TalkChannelClient({ adminKey: ADMIN, maxRetries: 0, ...quiet, fetch: async () => answer }).checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }));
    assert.ok(e instanceof KakaoApiError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.code, -10);
    assert.equal(e.msg, "😀 x\n");
    assert.deepEqual(e.headers, all);
    // Without a Retry-After, and an empty body.
    delete all["retry-after"];
    answer.text = async () => "";
    answer.status = 500;
    const empty = await caught(new TalkChannelClient({ adminKey: ADMIN, maxRetries: 0, ...quiet, fetch: async () => answer }).checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }));
    assert.equal(empty.status, 500);
    assert.deepEqual(empty.headers, all);
  });
});

describe("BulkOperationError", () => {
  const okAdd = (n) => new Response(JSON.stringify({ file_id: 7, request_count: n, success_count: n }));
  const busy = () => new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": "0" } });
  const bodyCount = (init) => JSON.parse(new TextDecoder().decode(init.body)).users.length;
  const users = (n) => Array.from({ length: n }, (_, i) => ({ id: String(i + 1) }));

  test("carries the endpoint and the attempts of every batch (retries included); toJSON keeps the failed batches' errors", async () => {
    // Batch 0 succeeds at once; batch 1 fails twice (maxRetries 1): 1 + 2 attempts.
    let calls = 0;
    const fetch = async (_url, init) => (calls++ === 0 ? okAdd(bodyCount(init)) : busy());
    const client = new TalkChannelClient({ restApiKey: REST, fetch, maxRetries: 1, ...quiet });
    const e = await caught(client.addCustomerFileUsers({ fileId: 7, channelPublicId: "_ZeUTxl", userType: "app", users: users(2001) }));
    assert.ok(e instanceof BulkOperationError && e instanceof KakaoTalkChannelError);
    assert.equal(calls, 3);
    assert.equal(e.endpoint, "POST /v1/talkchannel/update/target_users");
    assert.equal(e.attempts, 3);
    assert.equal(e.failed[0].error.attempts, 2);
    const json = JSON.parse(JSON.stringify(e));
    assert.equal(json.name, "BulkOperationError");
    assert.equal(json.message, e.message);
    assert.equal(json.endpoint, "POST /v1/talkchannel/update/target_users");
    assert.equal(json.attempts, 3);
    assert.deepEqual(json.partial, { fileId: 7, requestCount: 2000, successCount: 2000, batches: [{ index: 0, userCount: 2000, requestCount: 2000, successCount: 2000 }] });
    assert.equal(json.failed[0].error.name, "KakaoApiError");
    assert.equal(json.failed[0].error.status, 503);
    assert.deepEqual(json.failed[0].userIds, ["2001"]);
  });

  test("the multi check's endpoint", async () => {
    let calls = 0;
    const fetch = async (url) => {
      if (calls++ === 0) {
        const ids = new URL(url).searchParams.get("target_ids").split(",");
        return new Response(JSON.stringify(ids.map((id) => ({ user_id: Number(id), channels: [] }))));
      }
      return busy();
    };
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch, maxRetries: 0, ...quiet });
    const e = await caught(client.checkChannelRelationshipMulti({ userIds: Array.from({ length: 201 }, (_, i) => String(i + 1)) }));
    assert.ok(e instanceof BulkOperationError);
    assert.deepEqual([e.endpoint, e.attempts], ["GET /v2/api/talk/channels/multi", 2]);
  });
});

describe("__fail: the wasm's failures are recognised by class, nothing else is", async () => {
  const { __fail, ValidationError: EsmValidationError } = await import("../pkg/errors.js");
  const { WasmFailure } = await import("../pkg/shared.js");

  test("a WasmFailure becomes its error class, or its abort reason; any other value, a two-element array too, passes through", () => {
    const record = JSON.stringify({ name: "ValidationError", message: "userId: must be a string", props: { field: "userId", rule: "user_id.type" } });
    const e = __fail(new WasmFailure(record, undefined));
    assert.ok(e instanceof EsmValidationError);
    assert.deepEqual([e.message, e.field, e.rule], ["userId: must be a string", "userId", "user_id.type"]);
    const reason = new Error("stop");
    assert.equal(__fail(new WasmFailure(undefined, reason)), reason);
    for (const other of [[null, "x"], [record, reason], "text", undefined, reason]) assert.equal(__fail(other), other);
  });
});

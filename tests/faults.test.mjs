// The fault matrix: every emulator fault against a GET and against add-users, over loopback
// HTTP. Each test asserts the exact number of attempts (from the emulator's request log) and
// the error class and fields, or the result after recovery.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  BulkOperationError,
  KakaoApiError,
  NetworkError,
  ResponseError,
  TalkChannelClient,
  TimeoutError,
} from "../pkg/node.js";
import { createKakaoEmulator, startKakaoEmulatorServer } from "../pkg/testing/index.js";

const CH = "_ZeUTxl";
const GET_PATH = "/v2/api/talk/channels";
const ADD_PATH = "/v1/talkchannel/update/target_users";

let server;
let emu;
let client;
let fileId;

before(async () => {
  emu = createKakaoEmulator();
  emu.addChannel(CH);
  for (let id = 1; id <= 20_000; id++) emu.setRelation(id, CH, "ADDED");
  server = await startKakaoEmulatorServer({ emulator: emu });
  client = new TalkChannelClient({
    adminKey: emu.adminKey,
    restApiKey: emu.restApiKey,
    baseUrl: server.url,
    timeoutMs: 300,
    maxRetries: 2,
  });
  ({ fileId } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "faults", schema: { age: "number" } }));
});
after(() => server.close());

// The two calls every fault is tried on.
const calls = {
  GET: {
    path: GET_PATH,
    run: (options) => client.checkChannelRelationship({ channelIds: [CH], userId: 7 }, options),
    ok: (r) => assert.equal(r.channels[0].relation, "ADDED"),
  },
  "add-users": {
    path: ADD_PATH,
    run: (options) => client.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", users: [{ id: 7 }, { id: 8 }] }, options),
    ok: (r) => assert.deepEqual([r.requestCount, r.successCount], [2, 2]),
  },
};

/** Runs `call` with `fault` installed; returns the outcome and how many attempts reached Kakao. */
async function attempt(call, fault, options) {
  emu.faults.clear();
  emu.faults.add({ path: call.path, ...fault });
  const before = emu.requests.length;
  const outcome = await call.run(options).then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
  const attempts = emu.requests.slice(before).filter((r) => r.path === call.path).length;
  emu.faults.clear();
  return { ...outcome, attempts };
}

for (const [name, call] of Object.entries(calls)) {
  describe(`fault matrix: ${name}`, () => {
    test("503 with Kakao body and Retry-After: 0 once → retried, succeeds (2 attempts)", async () => {
      const r = await attempt(call, { status: 503, body: { msg: "maintenance", code: -9798 }, headers: { "retry-after": "0" } });
      assert.equal(r.attempts, 2);
      call.ok(r.value);
    });

    test("503 on every attempt → KakaoApiError after 1 + maxRetries attempts", async () => {
      const r = await attempt(call, { times: 5, status: 503, body: { msg: "maintenance", code: -9798 }, headers: { "retry-after": "0" } });
      assert.equal(r.attempts, 3);
      assert.ok(r.error instanceof KakaoApiError);
      assert.deepEqual([r.error.status, r.error.code, r.error.kind, r.error.retryable], [503, -9798, "UnderMaintenance", true]);
    });

    test("per-call maxRetries: 0 → one attempt", async () => {
      const r = await attempt(call, { times: 5, status: 503, headers: { "retry-after": "0" } }, { maxRetries: 0 });
      assert.equal(r.attempts, 1);
      assert.ok(r.error instanceof KakaoApiError);
    });

    test("429 with an HTTP-date Retry-After in the past → retried at once, succeeds", async () => {
      const r = await attempt(call, { status: 429, body: { msg: "too many", code: -10 }, headers: { "retry-after": "Sun, 06 Nov 1994 08:49:37 GMT" } });
      assert.equal(r.attempts, 2);
      call.ok(r.value);
    });

    test("400 with Kakao's retryable -1 → retried with backoff, succeeds", async () => {
      const t0 = Date.now();
      const r = await attempt(call, { status: 400, body: { msg: "internal", code: -1 } });
      assert.equal(r.attempts, 2);
      assert.ok(Date.now() - t0 >= 240, "backoff of at least 250 ms before the retry");
      call.ok(r.value);
    });

    test("400 -2 (bad parameter) → not retried, KakaoApiError", async () => {
      const r = await attempt(call, { status: 400, body: { msg: "bad", code: -2, api_type: "X" } });
      assert.equal(r.attempts, 1);
      assert.deepEqual([r.error.status, r.error.code, r.error.kind, r.error.retryable, r.error.details.apiType], [400, -2, "IllegalParams", false, "X"]);
    });

    test("quota -10 → not retried", async () => {
      const r = await attempt(call, { status: 400, body: { msg: "quota", code: -10, rule_name: "monthly" } });
      assert.equal(r.attempts, 1);
      assert.deepEqual([r.error.kind, r.error.retryable, r.error.details.ruleName], ["ApiLimitExceeded", false, "monthly"]);
    });

    test("delay before headers beyond timeoutMs once → timed out, retried, succeeds", async () => {
      const r = await attempt(call, { delayMs: 2_000 });
      assert.equal(r.attempts, 2);
      call.ok(r.value);
    });

    test("delay on every attempt → TimeoutError after 3 attempts", async () => {
      const r = await attempt(call, { times: 5, delayMs: 2_000 });
      assert.equal(r.attempts, 3);
      assert.ok(r.error instanceof TimeoutError, String(r.error));
      assert.equal(r.error.timeoutMs, 300);
    });

    test("body that stalls after headers → timed out (per attempt, body included), retried, succeeds", async () => {
      const r = await attempt(call, { stall: true });
      assert.equal(r.attempts, 2);
      call.ok(r.value);
    });

    test("connection reset once → retried, succeeds", async () => {
      const r = await attempt(call, { reset: true });
      assert.equal(r.attempts, 2);
      call.ok(r.value);
    });

    test("connection reset on every attempt → NetworkError with cause", async () => {
      const r = await attempt(call, { times: 5, reset: true });
      assert.equal(r.attempts, 3);
      assert.ok(r.error instanceof NetworkError, String(r.error));
      assert.ok(r.error.cause instanceof Error);
    });

    test("truncated 200 body → ResponseError, not retried", async () => {
      const r = await attempt(call, { truncate: true });
      assert.equal(r.attempts, 1);
      assert.ok(r.error instanceof ResponseError, String(r.error));
      assert.equal(r.error.status, 200);
      assert.ok(r.error.bodySnippet.length > 0);
    });

    test("HTML 502 from a proxy once → retried, succeeds", async () => {
      const r = await attempt(call, { html: true });
      assert.equal(r.attempts, 2);
      call.ok(r.value);
    });

    test("HTML 502 on every attempt → KakaoApiError with code null, kind HttpStatus", async () => {
      const r = await attempt(call, { times: 5, html: true });
      assert.equal(r.attempts, 3);
      assert.deepEqual([r.error.status, r.error.code, r.error.kind, r.error.retryable], [502, null, "HttpStatus", true]);
      assert.match(r.error.bodySnippet, /^<html>/);
    });

    test("wrong Content-Type on a good JSON body → parsed anyway, 1 attempt", async () => {
      const r = await attempt(call, { contentType: "text/plain" });
      assert.equal(r.attempts, 1);
      call.ok(r.value);
    });

    test("empty 200 body → ResponseError, 1 attempt", async () => {
      const r = await attempt(call, { empty: true });
      assert.equal(r.attempts, 1);
      assert.ok(r.error instanceof ResponseError, String(r.error));
      assert.equal(r.error.bodySnippet, "");
    });

    test("empty 500 body → retried; on every attempt KakaoApiError code null", async () => {
      const r = await attempt(call, { times: 5, status: 500, empty: true });
      assert.equal(r.attempts, 3);
      assert.deepEqual([r.error.status, r.error.code, r.error.kind], [500, null, "HttpStatus"]);
    });

    test("the caller's signal aborts during a backoff wait: rejects at once, no further attempt", async () => {
      emu.faults.clear();
      emu.faults.add({ path: call.path, times: 5, status: 503 });
      const before = emu.requests.length;
      const ac = new AbortController();
      const t0 = Date.now();
      setTimeout(() => ac.abort(new Error("stop now")), 100);
      const err = await call.run({ signal: ac.signal, maxRetries: 5 }).catch((e) => e);
      assert.equal(err.message, "stop now");
      assert.ok(Date.now() - t0 < 240, "rejected before the first backoff (≥ 250 ms) ended");
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(emu.requests.slice(before).length, 1, "no attempt after the abort");
      emu.faults.clear();
    });
  });
}

describe("bulk add under faults", () => {
  const users = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: String(from + i), fields: { age: 30 } }));

  test("20,000 users while 10% of requests fail transiently → all 20,000 in the file, counts right", async () => {
    const { fileId: fid } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "bulk-transient", schema: { age: "number" } });
    let n = 0;
    // Every 10th add request fails: alternately a 503 and a connection reset.
    emu.faults.add({ path: (p) => p === ADD_PATH && ++n % 10 === 5, times: 1000, status: 503, headers: { "retry-after": "0" } });
    emu.faults.add({ path: (p) => p === ADD_PATH && n % 10 === 0, times: 1000, reset: true });
    const before = emu.requests.length;
    const r = await client.addCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", users: users(1, 20_000) });
    emu.faults.clear();
    const attempts = emu.requests.slice(before).length;
    assert.equal(r.requestCount, 20_000);
    assert.equal(r.successCount, 20_000);
    assert.equal(r.batches.length, 10);
    assert.ok(attempts > 10, `some attempts failed and were retried (${attempts} attempts)`);
    assert.equal(emu.customerFile(fid).users.size, 20_000);
  });

  test("a permanent failure in one batch → BulkOperationError with exactly its ids; re-adding them completes the file", async () => {
    const { fileId: fid } = await client.registerCustomerFile({ channelPublicId: CH, fileName: "bulk-permanent", schema: { age: "number" } });
    // Batch 3 (0-based) fails on all three attempts.
    emu.faults.add({ path: ADD_PATH, after: 3, times: 3, status: 503, body: { msg: "down", code: -9798 }, headers: { "retry-after": "0" } });
    const input = users(1, 20_000);
    const err = await client.addCustomerFileUsers({ fileId: fid, channelPublicId: CH, userType: "app", users: input }).catch((e) => e);
    emu.faults.clear();
    assert.ok(err instanceof BulkOperationError, String(err));
    assert.deepEqual(err.failed.map((f) => f.index), [3]);
    assert.deepEqual(err.failed[0].userIds, input.slice(6000, 8000).map((u) => u.id));
    assert.ok(err.failed[0].error instanceof KakaoApiError);
    assert.deepEqual(err.succeeded.map((b) => b.index), [0, 1, 2, 4, 5, 6, 7, 8, 9]);
    assert.equal(emu.customerFile(fid).users.size, 18_000);
    const again = await client.addCustomerFileUsers({
      fileId: fid,
      channelPublicId: CH,
      userType: "app",
      users: err.failed.flatMap((f) => f.userIds.map((id) => ({ id, fields: { age: 30 } }))),
    });
    assert.equal(again.successCount, 2000);
    assert.equal(emu.customerFile(fid).users.size, 20_000);
  });
});

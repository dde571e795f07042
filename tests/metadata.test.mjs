// Response metadata (`$metadata`, non-enumerable, on every result) and the per-attempt hooks
// (`onRequest` / `onResponse`, on the client and on a call): what they hold, that the data of a
// result is unchanged, that no key ever reaches them (keys planted in response headers), and
// that a hook that throws, rejects or never settles never breaks or holds up a call.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KakaoApiError, NetworkError, TalkChannelClient, TimeoutError, ValidationError } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const CH = "_ZeUTxl";
const USER = "1234567890";
const TOKEN = "user-access-token-0123456789";

function setup() {
  const emu = createKakaoEmulator();
  emu.addChannel(CH);
  emu.setRelation(USER, CH, "ADDED");
  return emu;
}

/** The emulator's fetch, with `extra` headers added to every answer (and `before(n)` to answer the n-th call itself). */
function withHeaders(emu, extra, before = () => undefined) {
  let n = 0;
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, headers: init.headers });
    const own = await before(n++, url, init);
    const r = own ?? (await emu.fetch(url, init));
    const headers = new Headers(r.headers);
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    return new Response(await r.text(), { status: r.status, headers });
  };
  return { fetch, calls };
}

/** A logger that keeps its lines. */
function keeper() {
  const lines = [];
  const log = (level) => (message, data) => lines.push({ level, message, data });
  return { lines, logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") } };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("$metadata", () => {
  test("a single call: endpoint, status, request id, headers, attempts, duration; the data is unchanged", async () => {
    const emu = setup();
    const { fetch } = withHeaders(emu, { "x-request-id": "req-42" });
    const kakao = new TalkChannelClient({ adminKey: emu.adminKey, baseUrl: emu.baseUrl, fetch, logLevel: "off" });
    const r = await kakao.checkChannelRelationship({ channelIds: [CH], userId: USER });
    const m = r.$metadata;
    assert.equal(m.endpoint, "GET /v2/api/talk/channels");
    assert.equal(m.status, 200);
    assert.equal(m.requestId, "req-42");
    assert.equal(m.headers["x-request-id"], "req-42");
    assert.equal(m.headers["content-type"], "application/json;charset=UTF-8");
    assert.equal(m.attempts, 1);
    assert.ok(Number.isInteger(m.durationMs) && m.durationMs >= 0, String(m.durationMs));
    assert.deepEqual(Object.keys(m).sort(), ["attempts", "durationMs", "endpoint", "headers", "requestId", "status"]);
    // Read twice: the same object.
    assert.equal(r.$metadata, m);
    // Non-enumerable: the data alone in JSON, keys, spread, structuredClone.
    assert.deepEqual(Object.keys(r), ["userId", "channels"]);
    assert.equal(JSON.stringify(r), JSON.stringify({ userId: r.userId, channels: r.channels }));
    assert.ok(!JSON.stringify(r).includes("metadata"));
    assert.equal({ ...r }.$metadata, undefined);
    assert.equal(structuredClone(r).$metadata, undefined);
    assert.deepEqual(structuredClone(r), { userId: USER, channels: r.channels });
  });

  test("no request-id header: requestId is null; every method's result has one", async () => {
    const emu = setup();
    const kakao = new TalkChannelClient({ adminKey: emu.adminKey, restApiKey: emu.restApiKey, baseUrl: emu.baseUrl, fetch: emu.fetch, logLevel: "off" });
    const { fileId, $metadata: reg } = await kakao.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: { age: "number" } });
    assert.deepEqual([reg.endpoint, reg.status, reg.requestId, reg.attempts], ["POST /v1/talkchannel/create/target_user_file", 200, null, 1]);
    const list = await kakao.listCustomerFiles({ channelPublicId: CH });
    assert.equal(list.$metadata.endpoint, "GET /v1/talkchannel/target_user_file");
    const add = await kakao.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", users: [{ id: USER }] });
    assert.equal(add.$metadata.endpoint, "POST /v1/talkchannel/update/target_users");
    assert.equal(add.$metadata.batches.length, 1);
    const del = await kakao.deleteCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", userIds: [USER] });
    assert.equal(del.$metadata.batches[0].status, 200);
    assert.deepEqual(Object.keys(del).sort(), ["batches", "requestCount"]);
  });

  test("a split call: each batch's metadata in batch order, attempts summed", async () => {
    const emu = setup();
    const ids = Array.from({ length: 450 }, (_, i) => String(1000 + i));
    let n = 0;
    // The first batch's first attempt is a 503 with Retry-After: 0: retried once.
    const { fetch } = withHeaders(emu, {}, (_call, url) => {
      const first = new URL(url).searchParams.get("target_ids")?.startsWith("1000,");
      if (first && n++ === 0) return new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": "0" } });
      return undefined;
    });
    const kakao = new TalkChannelClient({ adminKey: emu.adminKey, baseUrl: emu.baseUrl, fetch, logLevel: "off" });
    const r = await kakao.checkChannelRelationshipMulti({ userIds: ids }, { concurrency: 3 });
    const m = r.$metadata;
    assert.equal(m.endpoint, "GET /v2/api/talk/channels/multi");
    assert.deepEqual(
      m.batches.map((b) => [b.index, b.endpoint, b.status, b.attempts]),
      [
        [0, "GET /v2/api/talk/channels/multi", 200, 2],
        [1, "GET /v2/api/talk/channels/multi", 200, 1],
        [2, "GET /v2/api/talk/channels/multi", 200, 1],
      ],
    );
    assert.equal(m.attempts, 4);
    assert.ok(m.durationMs >= Math.max(...m.batches.map((b) => b.durationMs)));
    assert.deepEqual(Object.keys(r), ["users", "unresolvedUserIds"]);
  });

  test("keys Kakao echoes in response headers are redacted, in $metadata and in the hooks", async () => {
    const emu = setup();
    const infos = [];
    // Every answer echoes the request's Authorization, plainly, in the request id and percent-encoded.
    const fetch = async (url, init) => {
      const auth = init.headers.Authorization;
      const r = init.headers.Authorization.startsWith("Bearer")
        ? Response.json({ user_id: Number(USER), channels: [] })
        : await emu.fetch(url, init);
      const headers = new Headers(r.headers);
      headers.set("x-echo", auth);
      headers.set("x-request-id", `id-${auth.split(" ")[1]}`);
      headers.set("x-encoded", encodeURIComponent(`key=${auth.split(" ")[1]}`).replace(/-/g, "%2D"));
      return new Response(await r.text(), { status: r.status, headers });
    };
    const kakao = new TalkChannelClient({
      adminKey: emu.adminKey,
      baseUrl: emu.baseUrl,
      fetch,
      logLevel: "off",
      onRequest: (i) => infos.push(i),
      onResponse: (i) => infos.push(i),
    });
    const r = await kakao.checkChannelRelationship({ channelIds: [CH], userId: USER });
    assert.equal(r.$metadata.requestId, "id-[REDACTED]");
    assert.equal(r.$metadata.headers["x-echo"], "KakaoAK [REDACTED]");
    assert.equal(r.$metadata.headers["x-encoded"], "key%3D[REDACTED]");
    // With a token: the token is a secret of that call.
    const t = await kakao.checkChannelRelationship({ channelIds: [CH], accessToken: TOKEN }, { onResponse: (i) => infos.push(i) });
    assert.equal(t.$metadata.headers["x-echo"], "Bearer [REDACTED]");
    assert.equal(t.$metadata.requestId, "id-[REDACTED]");
    const all = JSON.stringify([r.$metadata, t.$metadata, infos]);
    assert.ok(!all.includes(emu.adminKey), all);
    assert.ok(!all.includes(TOKEN), all);
    assert.ok(!all.includes("emulator0admin"), all);
    assert.ok(!all.toLowerCase().includes("authorization"), all);
    assert.equal(infos.length, 5);
    assert.equal(infos[4].headers["x-echo"], "Bearer [REDACTED]");
  });
});

describe("onRequest / onResponse", () => {
  test("called once per attempt, client's first, with the attempt's facts and error", async () => {
    const emu = setup();
    const order = [];
    let n = 0;
    const { fetch } = withHeaders(emu, { "request-id": "r1" }, () =>
      n++ === 0 ? new Response('{"msg":"too many","code":-10}', { status: 429, headers: { "retry-after": "0" } }) : undefined,
    );
    const kakao = new TalkChannelClient({
      adminKey: emu.adminKey,
      baseUrl: emu.baseUrl,
      fetch,
      logLevel: "off",
      onRequest: (i) => order.push(["client req", i]),
      onResponse: (i) => order.push(["client res", i]),
    });
    const r = await kakao.checkChannelRelationship(
      { channelIds: [CH], userId: USER },
      { maxRetries: 1, onRequest: (i) => order.push(["call req", i]), onResponse: (i) => order.push(["call res", i]) },
    );
    assert.deepEqual(
      order.map(([who, i]) => `${who} ${i.attempt}`),
      ["client req 1", "call req 1", "client res 1", "call res 1", "client req 2", "call req 2", "client res 2", "call res 2"],
    );
    const url = `${emu.baseUrl}/v2/api/talk/channels?target_id_type=user_id&target_id=${USER}&channel_ids=${CH}`;
    assert.deepEqual(order[0][1], { endpoint: "GET /v2/api/talk/channels", method: "GET", url, attempt: 1 });
    const failed = order[2][1];
    assert.equal(order[3][1].error, failed.error === undefined ? undefined : order[3][1].error);
    assert.equal(failed.status, 429);
    assert.equal(failed.requestId, "r1");
    assert.equal(failed.retryInMs, 0);
    assert.ok(failed.error instanceof KakaoApiError);
    assert.equal(failed.error.code, -10);
    assert.equal(failed.error.status, 429);
    const ok = order[6][1];
    assert.deepEqual(
      { ...ok, durationMs: 0, headers: { "request-id": ok.headers["request-id"] } },
      { endpoint: "GET /v2/api/talk/channels", method: "GET", url, attempt: 2, status: 200, requestId: "r1", headers: { "request-id": "r1" }, durationMs: 0, retryInMs: null },
    );
    assert.ok(!("error" in ok));
    assert.equal(r.$metadata.attempts, 2);
    assert.equal(r.$metadata.status, 200);
  });

  test("a timeout and a network error: status null, the error class, no headers", async () => {
    const emu = setup();
    const infos = [];
    const never = new TalkChannelClient({
      adminKey: emu.adminKey,
      baseUrl: emu.baseUrl,
      fetch: () => new Promise(() => {}),
      timeoutMs: 20,
      maxRetries: 0,
      logLevel: "off",
      onResponse: (i) => infos.push(i),
    });
    await assert.rejects(never.checkChannelRelationship({ channelIds: [CH], userId: USER }), TimeoutError);
    const broken = new TalkChannelClient({
      adminKey: emu.adminKey,
      baseUrl: emu.baseUrl,
      fetch: () => Promise.reject(new TypeError("fetch failed")),
      maxRetries: 0,
      logLevel: "off",
    });
    await assert.rejects(broken.checkChannelRelationship({ channelIds: [CH], userId: USER }, { onResponse: (i) => infos.push(i) }), NetworkError);
    assert.deepEqual(
      infos.map((i) => [i.status, i.requestId, i.headers, i.retryInMs, i.error?.name]),
      [
        [null, null, {}, null, "TimeoutError"],
        [null, null, {}, null, "NetworkError"],
      ],
    );
    assert.ok(infos[0].error instanceof TimeoutError);
  });

  test("an aborted attempt: onResponse gets the signal's reason as its error", async () => {
    const emu = setup();
    const infos = [];
    const ac = new AbortController();
    const reason = new Error("stop");
    const kakao = new TalkChannelClient({ adminKey: emu.adminKey, baseUrl: emu.baseUrl, fetch: () => new Promise(() => {}), logLevel: "off" });
    const p = kakao.checkChannelRelationship({ channelIds: [CH], userId: USER }, { signal: ac.signal, onResponse: (i) => infos.push(i) });
    await tick();
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(infos.length, 1);
    assert.equal(infos[0].error, reason);
    assert.equal(infos[0].status, null);
  });

  test("a hook that throws, rejects or never settles: the call goes on; throws and rejections are logged at error", async () => {
    const emu = setup();
    const { lines, logger } = keeper();
    const kakao = new TalkChannelClient({
      adminKey: emu.adminKey,
      baseUrl: emu.baseUrl,
      fetch: emu.fetch,
      logger,
      logLevel: "error",
      onRequest: () => {
        throw new Error(`sync boom ${emu.adminKey}`);
      },
      onResponse: () => Promise.reject(new Error("async boom")),
    });
    const r = await kakao.checkChannelRelationship({ channelIds: [CH], userId: USER }, { onResponse: () => new Promise(() => {}) });
    assert.equal(r.channels[0].relation, "ADDED");
    await tick();
    assert.deepEqual(
      lines.map((l) => [l.level, l.message, l.data.hook, l.data.error.message]),
      [
        ["error", "kakao-talk-channel: onRequest threw; the call goes on all the same", "onRequest", "sync boom [REDACTED]"],
        ["error", "kakao-talk-channel: onResponse threw; the call goes on all the same", "onResponse", "async boom"],
      ],
    );
  });

  test("a hook that is not a function is refused, on the client and on a call", async () => {
    assert.throws(
      () => new TalkChannelClient({ adminKey: "k".repeat(32), onRequest: "log" }),
      (e) => e instanceof ValidationError && e.field === "onRequest" && e.rule === "params.type",
    );
    const kakao = new TalkChannelClient({ adminKey: "k".repeat(32), fetch: () => assert.fail("no request"), logLevel: "off" });
    await assert.rejects(
      kakao.checkChannelRelationship({ channelIds: [CH], userId: USER }, { onResponse: 1 }),
      (e) => e instanceof ValidationError && e.field === "options.onResponse" && e.rule === "params.type",
    );
  });
});

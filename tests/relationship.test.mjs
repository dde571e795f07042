// The built package (pkg/) against the Kakao emulator, over its in-memory fetch and over a real
// loopback HTTP server: exact requests, parsed results, chunking, ids, every error class.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  KakaoApiError,
  KakaoTalkChannelError,
  NetworkError,
  ResponseError,
  TalkChannelClient,
  TimeoutError,
  ValidationError,
} from "../pkg/node.js";
import { createKakaoEmulator, startKakaoEmulatorServer } from "../pkg/testing/index.js";

const MAX_ID = "9223372036854775807";

function seed(emu) {
  emu.addChannel("_ZeUTxl", { uuid: "@테스트" });
  emu.addChannel("_xnrxjem", { uuid: "@플러스친구" });
  emu.setRelation(MAX_ID, "_ZeUTxl", "ADDED", { at: new Date("2020-04-18T03:17:05Z") });
  emu.setRelation(MAX_ID, "_ZeUTxl", "ADDED", { at: new Date("2021-05-17T05:25:01Z") });
  emu.setRelation(MAX_ID, "_xnrxjem", "BLOCKED", { at: new Date("2023-07-20T07:21:05Z") });
  emu.addUser(501, { talkUser: false });
}

// The same suite runs over both transports.
const transports = {
  "in-memory fetch": async () => {
    const emu = createKakaoEmulator();
    seed(emu);
    return { emu, baseUrl: emu.baseUrl, fetch: emu.fetch, close: async () => {} };
  },
  "loopback HTTP": async () => {
    const emu = createKakaoEmulator();
    seed(emu);
    const server = await startKakaoEmulatorServer({ emulator: emu });
    return { emu, baseUrl: server.url, fetch: undefined, close: () => server.close() };
  },
};

for (const [name, setup] of Object.entries(transports)) {
  describe(`relationship APIs over ${name}`, () => {
    let env;
    let client;
    before(async () => {
      env = await setup();
      client = new TalkChannelClient({
        adminKey: env.emu.adminKey,
        baseUrl: env.baseUrl,
        ...(env.fetch ? { fetch: env.fetch } : {}),
        maxRetries: 0,
      });
    });
    after(() => env.close());

    test("admin key + userId: exact request line and headers, parsed result", async () => {
      const before = env.emu.requests.length;
      const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl", "_xnrxjem"], userId: BigInt(MAX_ID) });
      assert.equal(env.emu.requests.length, before + 1);
      const req = env.emu.requests.at(-1);
      assert.equal(req.method, "GET");
      assert.equal(
        req.target,
        `/v2/api/talk/channels?target_id_type=user_id&target_id=${MAX_ID}&channel_ids=_ZeUTxl,_xnrxjem`,
      );
      assert.equal(req.headers.authorization, `KakaoAK ${env.emu.adminKey}`);
      assert.equal(req.headers["content-type"], undefined);
      assert.equal(req.body, "");
      assert.deepEqual(r, {
        userId: MAX_ID,
        channels: [
          {
            channelPublicId: "_ZeUTxl",
            channelUuid: "@테스트",
            relation: "ADDED",
            createdAt: new Date("2020-04-18T03:17:05Z"),
            updatedAt: new Date("2021-05-17T05:25:01Z"),
          },
          {
            channelPublicId: "_xnrxjem",
            channelUuid: "@플러스친구",
            relation: "BLOCKED",
            createdAt: null,
            updatedAt: new Date("2023-07-20T07:21:05Z"),
          },
        ],
      });
      assert.ok(r.channels[0].createdAt instanceof Date);
    });

    test("user id 9223372036854775807 round-trips as number-free string from every input form", async () => {
      for (const userId of [MAX_ID, BigInt(MAX_ID)]) {
        const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId });
        assert.equal(r.userId, MAX_ID);
        assert.equal(env.emu.requests.at(-1).query.target_id, MAX_ID);
      }
      await assert.rejects(
        // biome-ignore lint/correctness/noPrecisionLoss: the point is a number that already lost its precision
        client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 9223372036854775807 }),
        (e) => e instanceof ValidationError && e.rule === "user_id.unsafe_number" && e.field === "userId",
      );
    });

    test("access token: Bearer header, no target_id", async () => {
      const token = env.emu.accessTokenFor(77);
      env.emu.setRelation(77, "_ZeUTxl", "ADDED", { at: new Date("2024-01-02T03:04:05Z") });
      const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], accessToken: token });
      const req = env.emu.requests.at(-1);
      assert.equal(req.target, "/v2/api/talk/channels?channel_ids=_ZeUTxl");
      assert.equal(req.headers.authorization, `Bearer ${token}`);
      assert.equal(r.userId, "77");
      assert.equal(r.channels[0].relation, "ADDED");
      assert.deepEqual(r.channels[0].createdAt, new Date("2024-01-02T03:04:05Z"));
    });

    test("multi: 450 ids go out as 200 + 200 + 50, merged in input order, omitted users unresolved", async () => {
      const ids = Array.from({ length: 450 }, (_, i) => 10_000 + i);
      for (const id of ids) if (id % 7 !== 0) env.emu.addUser(id);
      env.emu.setRelation(10_001, "_xnrxjem", "ADDED", { at: new Date("2022-11-09T07:08:48Z") });
      // Reversed input: the result must follow the input, not Kakao's order.
      const input = [...ids].reverse();
      const before = env.emu.requests.length;
      const r = await client.checkChannelRelationshipMulti({ userIds: input, channelIds: ["_xnrxjem"] });
      const sent = env.emu.requests.slice(before);
      assert.deepEqual(sent.map((q) => q.query.target_ids.split(",").length), [200, 200, 50]);
      assert.ok(sent.every((q) => q.path === "/v2/api/talk/channels/multi"));
      assert.equal(
        sent[0].target,
        `/v2/api/talk/channels/multi?target_id_type=user_id&target_ids=${input.slice(0, 200).join(",")}&channel_ids=_xnrxjem`,
      );
      const expectedUsers = input.filter((id) => id % 7 !== 0).map(String);
      assert.deepEqual(r.users.map((u) => u.userId), expectedUsers);
      assert.deepEqual(r.unresolvedUserIds, input.filter((id) => id % 7 === 0).map(String));
      const u = r.users.find((x) => x.userId === "10001");
      assert.deepEqual(u.channels, [
        {
          channelPublicId: "_xnrxjem",
          channelUuid: "@플러스친구",
          relation: "ADDED",
          createdAt: new Date("2022-11-09T07:08:48Z"),
          updatedAt: new Date("2022-11-09T07:08:48Z"),
        },
      ]);
    });

    test("multi without channelIds asks for every channel; duplicates are asked once", async () => {
      const before = env.emu.requests.length;
      const r = await client.checkChannelRelationshipMulti({ userIds: [MAX_ID, MAX_ID, "501"] });
      const req = env.emu.requests.at(-1);
      assert.equal(env.emu.requests.length, before + 1);
      assert.equal(req.target, `/v2/api/talk/channels/multi?target_id_type=user_id&target_ids=${MAX_ID},501`);
      assert.deepEqual(r.users.map((u) => u.userId), [MAX_ID]);
      assert.deepEqual(r.users[0].channels.map((c) => c.channelPublicId).sort(), ["_ZeUTxl", "_xnrxjem"]);
      assert.deepEqual(r.unresolvedUserIds, ["501"]);
    });

    test("Kakao's -501 becomes KakaoApiError{status 400, code -501, kind NotTalkUser}", async () => {
      const err = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 501 }).catch((e) => e);
      assert.ok(err instanceof KakaoApiError);
      assert.ok(err instanceof KakaoTalkChannelError);
      assert.ok(err instanceof Error);
      assert.equal(err.name, "KakaoApiError");
      assert.equal(err.status, 400);
      assert.equal(err.code, -501);
      assert.equal(err.kind, "NotTalkUser");
      assert.equal(err.msg, "given account is not connected to any talk user.");
      assert.equal(err.retryable, false);
    });

    test("a wrong key is a 401 InvalidToken whose message and fields never show the key", async () => {
      const secret = "wrong0key0abcdef0123456789abcdef";
      const bad = new TalkChannelClient({ adminKey: secret, baseUrl: env.baseUrl, fetch: env.fetch, maxRetries: 0 });
      const err = await bad.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }).catch((e) => e);
      assert.ok(err instanceof KakaoApiError);
      assert.equal(err.status, 401);
      assert.equal(err.code, -401);
      assert.equal(err.kind, "InvalidToken");
      // The emulator, like Kakao, echoes the key it rejected; the SDK redacts it.
      assert.equal(err.msg, "wrong appKey([REDACTED]) format");
      for (const text of [err.message, String(err), JSON.stringify(err), err.stack]) {
        assert.ok(!text.includes(secret), text);
      }
    });
  });
}

describe("errors before and around requests", () => {
  const emu = createKakaoEmulator();
  seed(emu);
  const client = new TalkChannelClient({ adminKey: emu.adminKey, baseUrl: emu.baseUrl, fetch: emu.fetch, maxRetries: 0 });

  test("ValidationError: field path and rule, and no request is sent", async () => {
    const cases = [
      [{ channelIds: ["_a,_b"], userId: 1 }, "channelIds[0]", "channel_id.format"],
      [{ channelIds: [], userId: 1 }, "channelIds", "channel_ids.empty"],
      [{ channelIds: ["_a", 3], userId: 1 }, "channelIds[1]", "params.type"],
      [{ channelIds: ["_a"] }, "params", "params.required"],
      [{ channelIds: ["_a"], userId: 1, accessToken: "t" }, "params", "params.exclusive"],
      [{ channelIds: ["_a"], userId: 0 }, "userId", "user_id.range"],
      [{ channelIds: ["_a"], userId: "12x" }, "userId", "user_id.format"],
      [{ channelIds: ["_a"], userId: "9223372036854775808" }, "userId", "user_id.range"],
      [{ channelIds: ["_a"], accessToken: "tok\r\nX-Evil: 1" }, "accessToken", "secret.format"],
      [{ channelId: ["_a"], userId: 1 }, "params.channelId", "params.unknown_key"],
    ];
    const before = emu.requests.length;
    for (const [params, field, rule] of cases) {
      const err = await client.checkChannelRelationship(params).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${JSON.stringify(params)}: ${err}`);
      assert.equal(err.field, field, JSON.stringify(params));
      assert.equal(err.rule, rule, JSON.stringify(params));
      assert.equal(err.name, "ValidationError");
    }
    const multi = [
      [{ userIds: [] }, "userIds", "user_ids.empty"],
      [{ userIds: [1, -2] }, "userIds[1]", "user_id.range"],
      [{ userIds: [1], channelIds: [] }, "channelIds", "channel_ids.empty"],
      [{}, "userIds", "params.required"],
    ];
    for (const [params, field, rule] of multi) {
      const err = await client.checkChannelRelationshipMulti(params).catch((e) => e);
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual([err.field, err.rule], [field, rule]);
    }
    assert.equal(emu.requests.length, before, "no request may be sent for invalid input");
  });

  test("a client without the admin key says so before sending", async () => {
    const noKey = new TalkChannelClient({ baseUrl: emu.baseUrl, fetch: emu.fetch });
    const err = await noKey.checkChannelRelationshipMulti({ userIds: [1] }).catch((e) => e);
    assert.ok(err instanceof ValidationError);
    assert.deepEqual([err.field, err.rule], ["adminKey", "auth.missing_admin_key"]);
  });

  test("KakaoApiError from a 400 with bad parameters (the emulator's 200-id limit)", async () => {
    const raw = await emu.fetch(`${emu.baseUrl}/v2/api/talk/channels/multi?target_id_type=user_id&target_ids=${Array.from({ length: 201 }, (_, i) => i + 1).join(",")}`, {
      headers: { Authorization: `KakaoAK ${emu.adminKey}` },
    });
    assert.equal(raw.status, 400);
    assert.equal((await raw.json()).code, -2);
  });

  test("a 503 with an HTML body is a KakaoApiError with code null and kind HttpStatus", async () => {
    emu.faults.add({ path: "/v2/api/talk/channels", status: 503, html: true });
    const err = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }).catch((e) => e);
    assert.ok(err instanceof KakaoApiError);
    assert.equal(err.status, 503);
    assert.equal(err.code, null);
    assert.equal(err.kind, "HttpStatus");
    assert.equal(err.retryable, true);
    assert.match(err.bodySnippet, /^<html>/);
  });

  test("ResponseError: a 200 whose body is not the documented JSON", async () => {
    emu.faults.add({ path: "/v2/api/talk/channels", truncate: true });
    const err = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: MAX_ID }).catch((e) => e);
    assert.ok(err instanceof ResponseError, String(err));
    assert.equal(err.status, 200);
    assert.ok(err.bodySnippet.length > 0 && err.bodySnippet.length <= 200);
  });

  test("NetworkError keeps the fetch rejection as cause", async () => {
    emu.faults.add({ path: "/v2/api/talk/channels", reset: true });
    const err = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }).catch((e) => e);
    assert.ok(err instanceof NetworkError, String(err));
    assert.ok(err.cause instanceof TypeError);
    assert.equal(err.cause.cause.code, "ECONNRESET");
  });

  test("TimeoutError after timeoutMs (per call)", async () => {
    emu.faults.add({ path: "/v2/api/talk/channels", delayMs: 5_000 });
    const t0 = Date.now();
    const err = await client
      .checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }, { timeoutMs: 50 })
      .catch((e) => e);
    assert.ok(err instanceof TimeoutError, String(err));
    assert.equal(err.timeoutMs, 50);
    assert.ok(Date.now() - t0 < 2_000);
  });

  test("the caller's AbortSignal rejects with its reason and sends nothing more", async () => {
    emu.faults.add({ path: "/v2/api/talk/channels", delayMs: 5_000 });
    const ac = new AbortController();
    const p = client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }, { signal: ac.signal, maxRetries: 3 });
    setTimeout(() => ac.abort(), 20);
    const err = await p.catch((e) => e);
    assert.equal(err.name, "AbortError");
    const before = emu.requests.length;
    const err2 = await client
      .checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 }, { signal: AbortSignal.abort() })
      .catch((e) => e);
    assert.equal(err2.name, "AbortError");
    assert.equal(emu.requests.length, before, "an already-aborted signal sends nothing");
  });

  test("retries a 503 and succeeds, counting attempts in the emulator's log", async () => {
    const retrying = new TalkChannelClient({ adminKey: emu.adminKey, baseUrl: emu.baseUrl, fetch: emu.fetch, maxRetries: 2 });
    emu.faults.add({ path: "/v2/api/talk/channels", status: 503, body: { msg: "busy", code: -9798 }, headers: { "retry-after": "0" } });
    const before = emu.requests.length;
    const r = await retrying.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: MAX_ID });
    assert.equal(r.userId, MAX_ID);
    assert.equal(emu.requests.length, before + 2);
  });

  test("console output of a client shows no key", async () => {
    const { inspect } = await import("node:util");
    const secret = "visible0secret0should0never0show";
    const c = new TalkChannelClient({ adminKey: secret });
    for (const text of [inspect(c, { showHidden: true, depth: 5 }), JSON.stringify(c), String(c)]) {
      assert.ok(!text.includes(secret), text);
    }
  });
});

// What the SDK reads of an answer and where it sends requests: the 4 MiB cap on an answer
// (streamed and cut, wasm memory bounded), baseUrl checked by WHATWG URL rules in the
// constructor, a Response.error() reported as a network error, request bodies handed to a
// custom fetch as JSON text, and customer-file listings read as generously as Kakao's REST doc
// allows (every spelling of a standard schema key; fractional seconds; one odd field of one file
// costs nothing else).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { NetworkError, ResponseError, TalkChannelClient, TimeoutError, ValidationError } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const CH = "_ZeUTxl";
const CAP = 4 * 1024 * 1024;
const quiet = { logLevel: "off" };

describe("answers are read up to 4 MiB (4,194,304 bytes), wasm memory stays bounded", () => {
  test("300 MB answers (streamed, declared, an error, text() only): small errors naming the cap; wasm memory grows < 16 MiB", async () => {
    const child = fileURLToPath(new URL("./answers/huge-child.mjs", import.meta.url));
    const pkg = new URL("../pkg/node.js", import.meta.url).href;
    const out = await new Promise((resolve, reject) =>
      execFile(process.execPath, [child, pkg], { timeout: 120_000, maxBuffer: 1 << 20, env: { ...process.env, KAKAO_TALK_CHANNEL_LOG: "off" } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const r = JSON.parse(out.trim().split("\n").at(-1));
    const cut = /^Unexpected response from Kakao: the answer is (\d+) bytes or more, above the 4194304 bytes \(4 MiB\) the SDK reads of one answer/;
    for (const kind of ["stream", "declared", "textOnly"]) {
      assert.equal(r[kind].name, "ResponseError", `${kind}: ${JSON.stringify(r[kind])}`);
      assert.equal(r[kind].status, 200);
      assert.match(r[kind].message, cut, kind);
      assert.ok(Number(cut.exec(r[kind].message)[1]) > CAP, kind);
    }
    assert.equal(r.stream.snippet, '{"user_id":1,"channels":[],"pad":"xxxxxx');
    // Streamed and cancelled: the server got to write a few MB of its 300, not all of them.
    assert.ok(r.stream.serverWroteMB < 100, `the server wrote ${r.stream.serverWroteMB} MB`);
    // A Content-Length above the cap fails before reading: the server sent 1 MB and then
    // nothing, so a reading client would have waited for its 5 s timeout.
    assert.equal(r.declared.message.match(cut)[1], String(300 * 1024 * 1024));
    assert.ok(r.declared.ms < 4000, `declared: ${r.declared.ms} ms`);
    // An error answer keeps its first bytes: still the KakaoApiError of its status.
    assert.equal(r.error.name, "KakaoApiError");
    assert.equal(r.error.status, 502);
    assert.equal(r.error.code, null);
    assert.equal(r.error.snippet, '{"user_id":1,"channels":[],"pad":"xxxxxx');
    assert.ok(r.before > 0, "the SDK's wasm memory was found");
    assert.ok(r.after - r.before < 16 * 1024 * 1024, `wasm memory grew from ${r.before} to ${r.after}`);
    assert.deepEqual(r.normal, { ok: true });
  });

  test("an answer just under the cap is read whole", async () => {
    const pad = "p".repeat(CAP - 200);
    const fetch = async () => new Response(`{"user_id":1,"channels":[],"pad":"${pad}"}`);
    const r = await new TalkChannelClient({ adminKey: "admin0key0answers", fetch, ...quiet }).checkChannelRelationship({ channelIds: [CH], userId: 1 });
    assert.deepEqual(r, { userId: "1", channels: [] });
  });
});

describe("a body that stalls, from a fetch that ignores its signal: the read is given up", () => {
  const answer = '{"user_id":1,"channels":[{"channel_uuid":"@x","channel_public_id":"_ZeUTxl","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2020-04-18T03:17:05Z"}]}';
  /** A fetch that never looks at its signal; its answer's stream gives half the body, then nothing (or `body` whole). */
  function stalling({ whole = false, stream = true } = {}) {
    const seen = { cancelled: [], calls: 0 };
    const fetch = async () => {
      seen.calls++;
      const bytes = new TextEncoder().encode(answer);
      if (!stream) return { status: 200, headers: new Headers(), body: null, text: () => new Promise(() => {}) };
      const body = new ReadableStream({
        start(c) {
          c.enqueue(whole ? bytes : bytes.subarray(0, 40));
          if (whole) c.close();
        },
        cancel(reason) {
          seen.cancelled.push(reason);
        },
      });
      return new Response(body, { status: 200 });
    };
    return { seen, kakao: new TalkChannelClient({ adminKey: "admin0key0for0answers0tests00000", fetch, ...quiet }) };
  }
  const params = { channelIds: [CH], userId: "1" };

  test("the attempt's timeout ends the read: TimeoutError after each attempt, the stream cancelled each time", async () => {
    const { seen, kakao } = stalling();
    const t0 = Date.now();
    const err = await kakao.checkChannelRelationship(params, { timeoutMs: 100, maxRetries: 1 }).then(() => null, (e) => e);
    assert.ok(err instanceof TimeoutError, String(err));
    assert.deepEqual([err.timeoutMs, err.attempts, seen.calls, seen.cancelled.length], [100, 2, 2, 2]);
    assert.ok(Date.now() - t0 < 5_000, "given up after the timeouts, not later");
  });

  test("the caller's signal ends the read: rejects with its reason, one attempt, the stream cancelled", async () => {
    const { seen, kakao } = stalling();
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => controller.abort(reason), 50);
    const err = await kakao.checkChannelRelationship(params, { signal: controller.signal, timeoutMs: 60_000 }).then(() => null, (e) => e);
    assert.equal(err, reason);
    assert.deepEqual([seen.calls, seen.cancelled.length], [1, 1]);
  });

  test("a Response-like whose text() never settles (no stream) times out all the same", async () => {
    const { seen, kakao } = stalling({ stream: false });
    const err = await kakao.checkChannelRelationship(params, { timeoutMs: 100, maxRetries: 0 }).then(() => null, (e) => e);
    assert.ok(err instanceof TimeoutError, String(err));
    assert.equal(seen.calls, 1);
  });

  test("a whole body from a stream is read as before (the dates made, no cancel)", async () => {
    const { seen, kakao } = stalling({ whole: true });
    const r = await kakao.checkChannelRelationship(params, { timeoutMs: 1_000 });
    assert.equal(r.channels[0].createdAt.getTime(), Date.UTC(2020, 3, 18, 3, 17, 5));
    assert.deepEqual(seen.cancelled, []);
  });
});

describe("baseUrl: WHATWG URL rules, checked in the constructor", () => {
  const refused = [
    ["http://[::1", "base_url.host", 'the host "[::1" opens an IPv6 address with [ but does not close it with ]'],
    ["http://:80", "base_url.format", "must name a host"],
    ["http://exa%zzmple.com", "base_url.host", /^baseUrl: the host "exa%zzmple\.com" must not contain '%'/],
    ["http://host:99999", "base_url.port", "the port must be at most 65535, got 99999"],
    ["http://[::g]", "base_url.host", 'the host "[::g]" is not a valid IPv6 address'],
    ["http://1.2.3.256", "base_url.host", 'the host "1.2.3.256" ends in a number but is not a valid IPv4 address'],
    ["http://host:8a", "base_url.port", 'the port must be digits, got "8a"'],
    ["http://bücher.example", "base_url.host", /xn-- \(punycode\) form/],
  ];
  for (const [url, rule, message] of refused) {
    test(`${url} → ValidationError ${rule}`, () => {
      let err;
      try {
        new TalkChannelClient({ adminKey: "admin0key0answers", baseUrl: url });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.field, "baseUrl");
      assert.equal(err.rule, rule);
      if (typeof message === "string") assert.equal(err.message, `baseUrl: ${message}`);
      else assert.match(err.message, message);
    });
  }

  test("HTTP:// (any case), [::1] and an explicit port are accepted, and the call reaches the server", async () => {
    const seen = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"user_id":1,"channels":[]}');
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address();
      for (const baseUrl of [`HTTP://127.0.0.1:${port}`, `hTtP://127.0.0.1:${port}/`]) {
        const c = new TalkChannelClient({ adminKey: "admin0key0answers", baseUrl, ...quiet });
        assert.deepEqual(await c.checkChannelRelationship({ channelIds: [CH], userId: 1 }), { userId: "1", channels: [] });
      }
      assert.deepEqual(seen, Array(2).fill(`GET /v2/api/talk/channels?target_id_type=user_id&target_id=1&channel_ids=${CH}`));
      const urls = [];
      const fetch = async (url) => {
        urls.push(url);
        return Response.json({ user_id: 1, channels: [] });
      };
      await new TalkChannelClient({ adminKey: "admin0key0answers", baseUrl: "HTTPS://[::1]:8443/", fetch, ...quiet }).checkChannelRelationship({ channelIds: [CH], userId: 1 });
      assert.equal(urls[0], `https://[::1]:8443/v2/api/talk/channels?target_id_type=user_id&target_id=1&channel_ids=${CH}`);
    } finally {
      server.close();
    }
  });
});

test("fetch resolving Response.error() is a NetworkError saying so, retried like one", async () => {
  let calls = 0;
  const fetch = async () => {
    calls++;
    return Response.error();
  };
  const c = new TalkChannelClient({ adminKey: "admin0key0answers", fetch, maxRetries: 1, ...quiet });
  const err = await c.checkChannelRelationship({ channelIds: [CH], userId: 1 }).catch((e) => e);
  assert.ok(err instanceof NetworkError, String(err));
  assert.equal(calls, 2);
  assert.equal(err.cause.message, 'fetch resolved to a network error Response (Response.error(): type "error", status 0)');
  assert.doesNotMatch(err.message, /not a Response/);
});

test("a custom fetch's JSON.parse(init.body) works: the body is the JSON bytes, and its toString() the JSON text", async () => {
  const bodies = [];
  const fetch = async (_url, init) => {
    bodies.push(init.body);
    const sent = JSON.parse(init.body);
    return Response.json({ file_id: sent.file_id, request_count: sent.users.length, success_count: sent.users.length });
  };
  const c = new TalkChannelClient({ restApiKey: "rest0key0answers", fetch, ...quiet });
  await c.addCustomerFileUsers({ fileId: 437, channelPublicId: CH, userType: "app", users: [{ id: "12345", fields: { age: 19, 생년월일: "2000-01-01" } }] });
  const json = '{"file_id":437,"channel_public_id":"_ZeUTxl","user_type":"app","users":[{"id":"12345","field":{"연령":19,"생년월일":"2000-01-01"}}]}';
  assert.ok(bodies[0] instanceof Uint8Array);
  assert.equal(String(bodies[0]), json);
  assert.equal(`${bodies[0]}`, json);
  assert.equal(new TextDecoder().decode(bodies[0]), json);
  assert.deepEqual(Object.keys(bodies[0]).length, Buffer.byteLength(json), "toString is not enumerable: only the byte indices");
});

describe("customer-file listings read as generously as Kakao's doc allows", () => {
  const listing = (results) => async () => Response.json({ results, empty_slot: 30 - results.length, using_slot: results.length });

  test("the doc's English names with spaces, any case or form, are the standard Korean keys; the schema goes back to add and register", async () => {
    const schema = JSON.stringify({ "purchase amount": "number", "Recent Purchase Date": "string", "signup date": "string", "event application date": "string", Birthday: "string", GENDER: "string", age: "number", vip_level: "number" });
    const c = new TalkChannelClient({ restApiKey: "rest0key0answers", fetch: listing([{ file_id: 437, file_name: "vip", status: "USING", update_at: "2019-02-03 13:22:33", schema }]), ...quiet });
    const { files } = await c.listCustomerFiles({ channelPublicId: CH });
    assert.deepEqual(files[0].schema, { 구매금액: "number", "최근 구매일": "string", 가입일: "string", 응모일: "string", 생년월일: "string", 성별: "string", 연령: "number", vip_level: "number" });
    // Passed back, as the sync CLI does: accepted by add and register against the emulator.
    const emu = createKakaoEmulator();
    emu.addChannel(CH);
    emu.setRelation("12345", CH, "ADDED");
    const k = new TalkChannelClient({ restApiKey: emu.restApiKey, baseUrl: emu.baseUrl, fetch: emu.fetch, ...quiet });
    const { fileId } = await k.registerCustomerFile({ channelPublicId: CH, fileName: "copy", schema: files[0].schema });
    const r = await k.addCustomerFileUsers({ fileId, channelPublicId: CH, userType: "app", schema: files[0].schema, users: [{ id: "12345", fields: { "purchase amount": 1000, "Recent Purchase Date": "2024-01-01", 연령: 30 } }] });
    assert.equal(r.successCount, 1);
    assert.deepEqual(emu.customerFile(fileId).users.get("app:12345"), { 구매금액: 1000, "최근 구매일": "2024-01-01", 연령: 30 });
  });

  test('update_at "2019-02-03 13:22:33.0" (Java Timestamp form) is read; an unreadable field of one file keeps its raw value and costs the others nothing', async () => {
    const c = new TalkChannelClient({
      restApiKey: "rest0key0answers",
      fetch: listing([
        { file_id: 1, file_name: "a", status: "USING", update_at: "2019-02-03 13:22:33.0", schema: "{}" },
        { file_id: 2, file_name: "b", status: "USING", update_at: "03/02/2019", schema: '{"age":"number"}' },
        { file_id: 3, file_name: "c", status: 7, update_at: "2019-02-03 13:22:33.5", schema: "{bad" },
      ]),
      ...quiet,
    });
    const { files } = await c.listCustomerFiles({ channelPublicId: CH });
    assert.deepEqual(files, [
      { fileId: 1, fileName: "a", status: "using", updatedAt: new Date("2019-02-03T04:22:33Z"), schema: {} },
      { fileId: 2, fileName: "b", status: "using", updatedAt: null, schema: { 연령: "number" }, unreadable: { update_at: "03/02/2019" } },
      { fileId: 3, fileName: "c", status: "", updatedAt: new Date("2019-02-03T04:22:33.500Z"), schema: {}, unreadable: { schema: "{bad", status: 7 } },
    ]);
  });

  test("a file without an id is still a ResponseError (nothing else identifies it)", async () => {
    const c = new TalkChannelClient({ restApiKey: "rest0key0answers", fetch: listing([{ file_name: "a" }]), ...quiet });
    const err = await c.listCustomerFiles({ channelPublicId: CH }).catch((e) => e);
    assert.ok(err instanceof ResponseError, String(err));
  });
});

describe("answers in several chunks are decoded as UTF-8 across the chunk edges", () => {
  test("a character split between chunks, an answer cut mid-character, then a one-chunk answer: each read whole, nothing carried from one to the next", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ results: [{ file_id: 1, file_name: "고객", status: "USING", update_at: "2019-02-03 13:22:33", schema: "{}" }], empty_slot: 29, using_slot: 1 }));
    const at = bytes.indexOf(0xea) + 1; // inside 고 (EA B3 A0)
    const answers = [
      [bytes.subarray(0, at), bytes.subarray(at)],
      // A stream that ends inside a character: the decoder's pending bytes become U+FFFD here,
      // never the start of the next answer.
      [new TextEncoder().encode('{"results":[],"empty_slot":30,"using_slot":0,"x":"'), new Uint8Array([0x22, 0x7d, 0xea])],
      [bytes],
    ];
    const fetch = async () => {
      const chunks = answers.shift();
      return new Response(new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()) : c.close()) }), { status: 200 });
    };
    const c = new TalkChannelClient({ restApiKey: "rest0key0answers", fetch, ...quiet });
    assert.equal((await c.listCustomerFiles({ channelPublicId: CH })).files[0].fileName, "고객");
    const err = await c.listCustomerFiles({ channelPublicId: CH }).catch((e) => e);
    assert.ok(err instanceof ResponseError, String(err));
    assert.equal((await c.listCustomerFiles({ channelPublicId: CH })).files[0].fileName, "고객");
  });
});

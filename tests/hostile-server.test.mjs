// A hostile or broken server, and secrets on their way out: real node:http servers on
// 127.0.0.1 (not the emulator) and fake fetch functions. Redirects are never followed, a
// server's error body cannot set the error's own fields, answers that contradict the question
// are refused, Retry-After is read in every form, huge answers stay small errors, keys never
// leave through a NetworkError's cause or the logs, and the browser guard holds.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { KakaoApiError, KakaoTalkChannelError, NetworkError, ResponseError, TalkChannelClient, ValidationError } from "../pkg/node.js";

// Keys with characters that percent-encoding changes (encodeURIComponent leaves `!()` alone,
// RFC 3986 encoders do not), so an encoded echo differs from the key.
const ADMIN = "sEcReT+Admin/key=0000planted!(a)";
const REST = "sEcReT+Rest/key=00000planted!(r)";
const TOKEN = "tOkEn-planted/with+chars=sEcReT!9";
const SECRETS = [ADMIN, REST, TOKEN];
const CH = "_ZeUTxl";
const CHECK = "/v2/api/talk/channels";
const DELETE = "/v1/talkchannel/delete/target_users";
const PKG = new URL("../pkg/node.js", import.meta.url).href;

/** Every spelling of a secret that must not show: as is, percent-encoded both ways, in either hex case, and its first 8 characters. */
function spellings(s) {
  const rfc3986 = s.replace(/[^A-Za-z0-9\-_.~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const uri = encodeURIComponent(s);
  const lowerHex = (t) => t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [s, rfc3986, uri, lowerHex(rfc3986), lowerHex(uri), s.slice(0, 8)];
}

function assertNoSecret(texts, where) {
  for (const text of texts) {
    for (const secret of SECRETS) {
      for (const form of spellings(secret)) assert.ok(!String(text).includes(form), `${where} shows ${form}:\n${text}`);
    }
  }
}

/** Every way an error and its cause chain are shown. */
function renderings(err) {
  const out = [String(err), err.message, err.stack ?? "", inspect(err, { depth: 10, showHidden: true }), JSON.stringify(err)];
  for (let e = err; e !== undefined && e !== null; e = e.cause) {
    out.push(String(e), String(e.message), String(e.stack), JSON.stringify(Object.fromEntries(Object.entries(e))), inspect(e, { depth: 10 }));
  }
  return out;
}

/**
 * A real HTTP server on `host` (127.0.0.1): `handler({ method, url, headers, body })` returns
 * `{ status, headers, body }`. Every request is logged in `requests`.
 */
async function serve(handler, host = "127.0.0.1") {
  const requests = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const r = { method: req.method, url: new URL(req.url, "http://local"), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    requests.push(r);
    const out = await handler(r);
    res.writeHead(out.status, out.headers ?? { "content-type": "application/json;charset=UTF-8" });
    res.end(out.body ?? "");
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  return {
    url: `http://${host}:${server.address().port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const quiet = { logLevel: "off" };
const check = (client, userId = 1) => client.checkChannelRelationship({ channelIds: [CH], userId });
const del = (client) => client.deleteCustomerFileUsers({ fileId: 7, channelPublicId: CH, userType: "app", userIds: [1, 2] });

describe("redirects: never followed, a ResponseError with the 3xx status, not retried", () => {
  let origin;
  let target;
  let answer; // what the origin answers next: { status, location }
  before(async () => {
    // The Location's target answers as Kakao would: a client that followed would succeed. It
    // listens on another host, 127.0.0.2 (Linux routes all of 127/8 to loopback; elsewhere
    // it falls back to another port of 127.0.0.1, still another origin).
    const landing = (r) => (r.method === "GET" ? { status: 200, body: '{"user_id":1,"channels":[]}' } : { status: 200 });
    target = await serve(landing, "127.0.0.2").catch(() => serve(landing));
    origin = await serve((r) =>
      r.url.pathname === "/landing"
        ? { status: 200, body: r.method === "GET" ? '{"user_id":1,"channels":[]}' : "" }
        : { status: answer.status, headers: { location: answer.location, "content-type": "text/plain" }, body: "moved" },
    );
  });
  after(() => Promise.all([origin.close(), target.close()]));

  test("control: the servers redirect for real (a following fetch lands on the target)", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      answer = { status, location: `${target.url}/landing` };
      const res = await fetch(`${origin.url}${CHECK}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { user_id: 1, channels: [] });
    }
    assert.equal(target.requests.length, 5);
    target.requests.length = 0;
    origin.requests.length = 0;
  });

  for (const status of [301, 302, 303, 307, 308]) {
    for (const [call, method, path, name] of [[check, "GET", CHECK, "check"], [del, "POST", DELETE, "delete"]]) {
      for (const where of ["cross-host", "same-host"]) {
        test(`${status} answering a ${method} (${name}), Location ${where}`, async () => {
          const location = where === "cross-host" ? `${target.url}/landing` : "/landing";
          answer = { status, location };
          const before = { origin: origin.requests.length, target: target.requests.length };
          const client = new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST, baseUrl: origin.url, ...quiet });
          const err = await call(client).catch((e) => e);
          assert.ok(err instanceof ResponseError && err instanceof KakaoTalkChannelError, String(err));
          assert.equal(err.status, status);
          assert.equal(err.attempts, 1);
          assert.equal(err.endpoint, `${method} ${path}`);
          assert.equal(err.headers.location, location);
          assert.equal(err.bodySnippet, "moved");
          assert.match(err.message, new RegExp(`HTTP ${status} is a redirect`));
          assert.equal(origin.requests.length - before.origin, 1, "one request, no retry, nothing followed on the same host");
          assert.equal(origin.requests.at(-1).url.pathname, path);
          assert.equal(target.requests.length - before.target, 0, "the Location's server got nothing");
        });
      }
    }
  }
});

describe("a server's error body cannot set the error's own fields", () => {
  const hostile =
    '{"msg":"m","code":-2,"name":"ValidationError","message":"pwned","stack":"fake stack","toString":"x","to_string":"y",' +
    '"constructor":"z","__proto__":{"polluted":true},"status":200,"retryable":true,"kind":"Evil","endpoint":"evil",' +
    '"attempts":99,"headers":{"a":1},"bodySnippet":"s","details":"d","field":"f","rule":"r"}';
  let server;
  before(async () => {
    server = await serve(() => ({ status: 400, headers: { "content-type": "application/json", "x-hostile": "1" }, body: hostile }));
  });
  after(() => server.close());

  test("name, message, stack, status and the rest are ours; Kakao's extras sit under details", async () => {
    const client = new TalkChannelClient({ adminKey: ADMIN, baseUrl: server.url, ...quiet });
    const err = await check(client).catch((e) => e);
    assert.ok(err instanceof KakaoApiError && err instanceof KakaoTalkChannelError && err instanceof Error, String(err));
    assert.ok(!(err instanceof ValidationError));
    assert.equal(err.name, "KakaoApiError");
    assert.equal(err.message, "Kakao API error 400 (code -2, IllegalParams): m");
    assert.ok(err.stack.startsWith(`KakaoApiError: ${err.message}\n`), err.stack);
    assert.equal(String(err), `KakaoApiError: ${err.message}`);
    assert.equal(`${err}`, String(err));
    assert.equal(err.toString, Error.prototype.toString);
    assert.equal(err.constructor, KakaoApiError);
    assert.deepEqual(
      [err.status, err.code, err.msg, err.kind, err.retryable, err.endpoint, err.attempts],
      [400, -2, "m", "IllegalParams", false, `GET ${CHECK}`, 1],
    );
    assert.deepEqual(Object.keys(err).sort(), ["attempts", "code", "details", "endpoint", "headers", "kind", "msg", "retryable", "status"]);
    assert.equal(err.headers["x-hostile"], "1");
    assert.equal(server.requests.length, 1);
    // Every extra, camelCased, as data (a later `to_string` wins over `toString`).
    assert.deepEqual(err.details, {
      name: "ValidationError",
      message: "pwned",
      stack: "fake stack",
      toString: "y",
      constructor: "z",
      proto: { polluted: true },
      status: 200,
      retryable: true,
      kind: "Evil",
      endpoint: "evil",
      attempts: 99,
      headers: { a: 1 },
      bodySnippet: "s",
      details: "d",
      field: "f",
      rule: "r",
    });
    assert.equal(Object.getPrototypeOf(err.details), Object.prototype);
    assert.equal({}.polluted, undefined);
    assert.doesNotThrow(() => inspect(err, { depth: 10 }));
    assert.equal(JSON.parse(JSON.stringify(err)).status, 400);
  });
});

describe("answers that contradict the question are ResponseErrors, never accepted", () => {
  let server;
  let body; // the 200 body the server answers next
  before(async () => {
    server = await serve(() => ({ status: 200, body }));
  });
  after(() => server.close());
  const client = () => new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST, baseUrl: server.url, ...quiet });
  const add = (c, n = 2) => c.addCustomerFileUsers({ fileId: 7, channelPublicId: CH, userType: "app", users: Array.from({ length: n }, (_, i) => ({ id: i + 1 })) });

  const cases = [
    ["a check answered for another user_id", (c) => check(c, 5), '{"user_id":6,"channels":[]}', /user_id 6 but user_id 5 was asked/],
    ["a multi answer naming a user not asked", (c) => c.checkChannelRelationshipMulti({ userIds: [1, 2] }), '[{"user_id":3,"channels":[]}]', /user_id 3 which this call did not ask/],
    ["a multi answer naming a user twice", (c) => c.checkChannelRelationshipMulti({ userIds: [1, 2] }), '[{"user_id":1,"channels":[]},{"user_id":1,"channels":[]}]', /twice for user_id 1/],
    ["add: success_count > request_count", (c) => add(c), '{"file_id":7,"request_count":2,"success_count":3}', /success_count 3 is more than request_count 2/],
    ["add: request_count other than the users sent", (c) => add(c), '{"file_id":7,"request_count":1,"success_count":1}', /request_count is 1 but 2 users were sent/],
    ["add: an answer for another file_id", (c) => add(c), '{"file_id":8,"request_count":2,"success_count":2}', /file_id 8 but file_id 7 was sent/],
    ["register: file_id 0", (c) => c.registerCustomerFile({ channelPublicId: CH, fileName: "f", schema: { age: "number" } }), '{"file_id":0}', /file_id is 0/],
  ];
  for (const [name, call, answer, why] of cases) {
    test(name, async () => {
      body = answer;
      const n = server.requests.length;
      const err = await call(client()).catch((e) => e);
      assert.ok(err instanceof ResponseError, `${name}: ${err}`);
      assert.equal(err.status, 200);
      assert.equal(err.attempts, 1);
      assert.equal(err.bodySnippet, answer);
      assert.match(err.message, why);
      assert.equal(server.requests.length - n, 1, "not retried");
    });
  }

  test("control: consistent answers to the same calls succeed", async () => {
    body = '{"file_id":7,"request_count":2,"success_count":2}';
    assert.deepEqual(await add(client()), { fileId: 7, requestCount: 2, successCount: 2, batches: [{ index: 0, userCount: 2, requestCount: 2, successCount: 2 }] });
    body = '{"user_id":5,"channels":[]}';
    assert.deepEqual(await check(client(), 5), { userId: "5", channels: [] });
  });

  test("a __proto__ key in a listed schema stays an own property of files[i].schema", async () => {
    body = JSON.stringify({
      results: [{ file_id: 7, file_name: "f", status: "USING", update_at: "2019-02-03 13:22:33", schema: '{"__proto__":"number","age":"number"}' }],
      empty_slot: 29,
      using_slot: 1,
    });
    const { files } = await client().listCustomerFiles({ channelPublicId: CH });
    const s = files[0].schema;
    assert.ok(Object.hasOwn(s, "__proto__"), "own __proto__ key");
    assert.equal(Object.getOwnPropertyDescriptor(s, "__proto__").value, "number");
    assert.equal(s.연령, "number");
    assert.equal(Object.getPrototypeOf(s), Object.prototype);
    assert.deepEqual(Object.keys(s).sort(), ["__proto__", "연령"].sort());
    assert.equal(files[0].updatedAt.toISOString(), "2019-02-03T04:22:33.000Z");
  });
});

describe("Retry-After: seconds and RFC 9110's three date forms, capped at 60 s", () => {
  const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const two = (n) => String(n).padStart(2, "0");
  const clock = (d) => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const forms = {
    "IMF-fixdate": (d) => d.toUTCString(),
    "RFC 850": (d) => `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${clock(d)} GMT`,
    asctime: (d) => `${DAYS[d.getUTCDay()].slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${clock(d)} ${d.getUTCFullYear()}`,
  };

  test("the date formatters write the forms of RFC 9110's example", () => {
    const d = new Date("1994-11-06T08:49:37Z");
    assert.deepEqual(Object.values(forms).map((f) => f(d)), ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]);
  });

  /** The wait the client chose after a 503 with `Retry-After: value` (`value(now)` if a function), read from its debug line; the wait itself is aborted. */
  async function chosenWait(value) {
    const controller = new AbortController();
    const lines = [];
    let calls = 0;
    const fetch = async () => {
      calls += 1;
      const header = typeof value === "function" ? value(Date.now()) : value;
      return new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": header } });
    };
    const logger = {
      debug: (_m, data) => {
        lines.push(data);
        controller.abort(new Error("stop waiting"));
      },
      info() {},
      warn() {},
      error() {},
    };
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch, logger, logLevel: "debug" });
    const err = await client.checkChannelRelationship({ channelIds: [CH], userId: 1 }, { signal: controller.signal }).then(
      () => null,
      (e) => e,
    );
    assert.equal(err?.message, "stop waiting");
    assert.equal(calls, 1);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].status, 503);
    return lines[0].retryInMs;
  }

  for (const [form, write] of Object.entries(forms)) {
    test(`${form}: 30 s ahead waits ~30 s, 5 min ahead 60 s, a past date 0`, async () => {
      const ahead = await chosenWait((now) => write(new Date(now + 30_000)));
      assert.ok(ahead > 28_000 && ahead <= 30_000, `${form}: ${ahead}`);
      assert.equal(await chosenWait((now) => write(new Date(now + 300_000))), 60_000);
      assert.equal(await chosenWait(write(new Date("1994-11-06T08:49:37Z"))), 0);
    });
  }

  test("delta-seconds: 2 → 2000 ms, 0 → 0, a day → 60 s; garbage falls back to the backoff (250–500 ms)", async () => {
    assert.equal(await chosenWait("2"), 2000);
    assert.equal(await chosenWait("0"), 0);
    assert.equal(await chosenWait("86400"), 60_000);
    assert.equal(await chosenWait("99999999999999999999999"), 60_000);
    for (const junk of ["soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT"]) {
      const w = await chosenWait(junk);
      assert.ok(w >= 250 && w <= 500, `${junk}: ${w}`);
    }
  });

  test("a real wait: an IMF-fixdate 2.5 s ahead makes the retry come ≥ 1.5 s later", async () => {
    const at = [];
    const fetch = async () => {
      at.push(performance.now());
      if (at.length === 1) {
        return new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": new Date(Date.now() + 2500).toUTCString() } });
      }
      return new Response('{"user_id":1,"channels":[]}');
    };
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch, ...quiet });
    assert.deepEqual(await check(client), { userId: "1", channels: [] });
    const gap = at[1] - at[0];
    assert.ok(gap >= 1450 && gap < 4000, `retried after ${gap} ms`);
  });
});

describe("oversized answers make small errors, quickly", () => {
  const FIFTY_MB = 50 * 1024 * 1024;
  let server;
  let answer;
  before(async () => {
    server = await serve(() => answer);
  });
  after(() => server.close());
  const client = () => new TalkChannelClient({ adminKey: ADMIN, baseUrl: server.url, maxRetries: 0, ...quiet });

  // Under the 4 MiB the SDK reads of an answer (tests/answers.test.mjs: larger ones are cut).
  test("a 4 MB msg: message ≤ 1,200 characters, msg cut at 1,000", async () => {
    const FOUR_MB = 4_000_000;
    answer = { status: 400, body: `{"msg":"${"m".repeat(FOUR_MB)}","code":-2}` };
    const t0 = performance.now();
    const err = await check(client()).catch((e) => e);
    const took = performance.now() - t0;
    assert.ok(err instanceof KakaoApiError, String(err).slice(0, 300));
    assert.equal(err.code, -2);
    assert.equal(err.msg, `${"m".repeat(1000)}… (${FOUR_MB - 1000} more characters)`);
    assert.ok(err.message.length <= 1200, `message of ${err.message.length}`);
    assert.ok(took < 15_000, `took ${took} ms`);
  });

  test("a 50 MB non-JSON body, as an error and as a 200: bodySnippet ≤ 200, message ≤ 1,200", async () => {
    for (const [status, Cls] of [[502, KakaoApiError], [200, ResponseError]]) {
      answer = { status, headers: { "content-type": "text/html" }, body: `<html>${"x".repeat(FIFTY_MB)}` };
      const t0 = performance.now();
      const err = await check(client()).catch((e) => e);
      const took = performance.now() - t0;
      assert.ok(err instanceof Cls, String(err).slice(0, 300));
      assert.equal(err.status, status);
      assert.equal(err.bodySnippet, `<html>${"x".repeat(194)}`);
      assert.ok(err.message.length <= 1200, `message of ${err.message.length}`);
      assert.ok(took < 15_000, `took ${took} ms`);
    }
  });

  test("a fetch that throws a 50 MB message: message ≤ 1,200, the cause's message cut too", async () => {
    const huge = "e".repeat(FIFTY_MB);
    const c = new TalkChannelClient({ adminKey: ADMIN, maxRetries: 0, ...quiet, fetch: async () => Promise.reject(new TypeError(huge)) });
    const err = await check(c).catch((e) => e);
    assert.ok(err instanceof NetworkError, String(err).slice(0, 300));
    assert.ok(err.message.length <= 1200, `message of ${err.message.length}`);
    assert.ok(err.cause.message.length <= 2100, `cause message of ${err.cause.message.length}`);
    assert.ok(err.cause.stack.length <= 2100, `cause stack of ${err.cause.stack.length}`);
  });

  test("a key cut in half by a cap shows none of itself (msg, bodySnippet, cause)", async () => {
    const cases = [
      [{ status: 400, body: JSON.stringify({ msg: `${"m".repeat(995)}${ADMIN}`, code: -2 }) }, (e) => e.msg],
      [{ status: 502, headers: { "content-type": "text/html" }, body: `${"h".repeat(195)}${ADMIN}` }, (e) => e.bodySnippet],
      [{ status: 200, body: `${"j".repeat(195)}${encodeURIComponent(ADMIN)}` }, (e) => e.bodySnippet],
    ];
    for (const [a, part] of cases) {
      answer = a;
      const err = await check(client()).catch((e) => e);
      assert.ok(err instanceof KakaoTalkChannelError, String(err));
      assert.match(part(err), /\[REDACTED\]/);
      assertNoSecret(renderings(err), err.name);
    }
    const c = new TalkChannelClient({ adminKey: ADMIN, maxRetries: 0, ...quiet, fetch: async () => Promise.reject(new Error(`${"c".repeat(1995)}${ADMIN}`)) });
    const err = await check(c).catch((e) => e);
    assert.ok(err instanceof NetworkError);
    assert.match(err.cause.message, /c\[REDACTED\]… \(/);
    assertNoSecret(renderings(err), "NetworkError");
  });
});

describe("secrets never leave through a NetworkError's cause", () => {
  const throwing = (make, opts = {}) => new TalkChannelClient({ adminKey: ADMIN, restApiKey: REST, maxRetries: 0, ...quiet, ...opts, fetch: async (url, init) => make(url, init) });
  const lower = (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

  test("a key in a nested cause chain (4 deep), plain and percent-encoded", async () => {
    const client = throwing((url, init) => {
      throw new TypeError("fetch failed", {
        cause: new Error(`connect with ${init.headers.Authorization}`, {
          cause: new Error(`tls ${encodeURIComponent(ADMIN)} at ${url}`, {
            cause: Object.assign(new RangeError(`deep ${lower(ADMIN)}`), { code: "EDEEP", key: ADMIN, cause: { message: ADMIN } }),
          }),
        }),
      });
    });
    const err = await check(client).catch((e) => e);
    assert.ok(err instanceof NetworkError, String(err));
    assert.equal(err.cause.name, "TypeError");
    assert.equal(err.cause.cause.message, "connect with KakaoAK [REDACTED]");
    assert.match(err.cause.cause.cause.message, /^tls \[REDACTED\] at /);
    const deep = err.cause.cause.cause.cause;
    assert.ok(deep instanceof RangeError);
    assert.deepEqual([deep.message, deep.code, deep.key], ["deep [REDACTED]", "EDEEP", "[REDACTED]"]);
    assertNoSecret(renderings(err), "nested cause");
  });

  test("a key in a custom property (e.config.headers.Authorization), a thrown string, a thrown plain object", async () => {
    const makers = {
      "custom property": (url, init) => {
        const e = new Error("Request failed");
        e.config = { headers: { Authorization: init.headers.Authorization }, url };
        e.request = { path: `${url}&key=${encodeURIComponent(REST)}` };
        throw e;
      },
      "thrown string": (_url, init) => {
        throw `failed: ${init.headers.Authorization} / ${lower(ADMIN)}`;
      },
      "thrown plain object": (_url, init) => {
        throw { message: `no route ${ADMIN}`, headers: { authorization: init.headers.Authorization }, stack: `at ${ADMIN}` };
      },
    };
    for (const [name, make] of Object.entries(makers)) {
      const err = await check(throwing(make)).catch((e) => e);
      assert.ok(err instanceof NetworkError, `${name}: ${err}`);
      assert.ok(err.cause instanceof Error, name);
      assertNoSecret(renderings(err), name);
    }
    const custom = await check(throwing(makers["custom property"])).catch((e) => e);
    assert.equal(JSON.parse(custom.cause.config).headers.Authorization, "KakaoAK [REDACTED]");
    const str = await check(throwing(makers["thrown string"])).catch((e) => e);
    assert.equal(str.cause.message, "failed: KakaoAK [REDACTED] / [REDACTED]");
  });

  test("the access token of a checkChannelRelationship call", async () => {
    const client = throwing((_url, init) => {
      const e = new TypeError(`refused: ${init.headers.Authorization}`, { cause: new Error(`token=${encodeURIComponent(TOKEN)}`) });
      e.config = { headers: init.headers };
      throw e;
    });
    const err = await client.checkChannelRelationship({ channelIds: [CH], accessToken: TOKEN }).catch((e) => e);
    assert.ok(err instanceof NetworkError, String(err));
    // The deepest cause, redacted too, is named in the message.
    assert.equal(err.message, "Network error: refused: Bearer [REDACTED] (token=[REDACTED])");
    assert.equal(err.cause.cause.message, "token=[REDACTED]");
    assertNoSecret(renderings(err), "token");
  });
});

/** Runs `tests/hostile/<script>` with `args` and `env`; resolves to its last stdout line, parsed. */
function child(script, args, env = {}) {
  const file = fileURLToPath(new URL(`./hostile/${script}`, import.meta.url));
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [file, PKG, ...args], { timeout: 30_000, env: { ...process.env, KAKAO_TALK_CHANNEL_LOG: "", ...env } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ result: JSON.parse(stdout.trim().split("\n").at(-1)), stdout }),
    ),
  );
}

describe("browser guard, with the globals of each runtime set before the package loads", () => {
  const refused = { adminKey: "dangerouslyAllowBrowser browser.secret_key", restApiKey: "dangerouslyAllowBrowser browser.secret_key", allowed: "ok", noKey: "ok", leaked: false };
  const served = { adminKey: "ok", restApiKey: "ok", allowed: "ok", noKey: "ok", leaked: false };
  for (const [scenario, expected] of [
    ["page", refused], // window + document
    ["worker", refused], // self + importScripts, no window
    ["node", served], // Node (and Bun) as they are
    ["self", served], // self alone: Deno 2, workerd
    ["window", served], // window without document
  ]) {
    test(`${scenario}: keys ${expected === refused ? "refused unless dangerouslyAllowBrowser" : "accepted"}`, async () => {
      const { result } = await child("guard-child.mjs", [scenario]);
      assert.deepEqual(result, expected);
    });
  }
});

describe("logging", () => {
  const USER = 4242424242;
  /** A fetch answering the queued statuses in turn (503 with Retry-After 0, or a good check body). */
  const scripted = (statuses) => {
    let i = 0;
    return async () => {
      const s = statuses[Math.min(i++, statuses.length - 1)];
      return s === 200 ? new Response(`{"user_id":${USER},"channels":[]}`) : new Response('{"msg":"busy","code":-9798}', { status: s, headers: { "retry-after": "0" } });
    };
  };
  const collecting = () => {
    const lines = [];
    const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (message, data) => void lines.push({ level, message, data })]));
    return { lines, logger };
  };

  test('"debug": one line per attempt with method, path, status, durationMs, attempt, retryInMs', async () => {
    const { lines, logger } = collecting();
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch: scripted([503, 200]), logger, logLevel: "debug" });
    await check(client, USER);
    const debug = lines.filter((l) => l.level === "debug");
    assert.equal(debug.length, 2);
    for (const [i, l] of debug.entries()) {
      assert.deepEqual(Object.keys(l.data).sort(), ["attempt", "durationMs", "method", "path", "retryInMs", "status"]);
      assert.ok(Number.isInteger(l.data.durationMs) && l.data.durationMs >= 0);
      assert.deepEqual({ ...l.data, durationMs: 0 }, { method: "GET", path: CHECK, status: [503, 200][i], durationMs: 0, attempt: i + 1, retryInMs: [0, null][i] });
      assert.match(l.message, new RegExp(`^kakao-talk-channel: GET ${CHECK} → (HTTP )?${[503, 200][i]} in \\d+ ms \\(attempt ${i + 1}\\)$`));
    }
    assert.deepEqual(lines.map((l) => l.level), ["debug", "warn", "debug"]);
    assertNoSecret(lines.map((l) => JSON.stringify(l)), "debug log");
  });

  test('"warn" (the default): only retries and give-ups; no key, token or user id', async () => {
    const { lines, logger } = collecting();
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch: scripted([503, 200]), logger });
    await check(client, USER);
    const gaveUp = new TalkChannelClient({ adminKey: ADMIN, fetch: scripted([503]), logger, logLevel: "warn", maxRetries: 1 });
    await check(gaveUp, USER).catch(() => {});
    const tokens = new TalkChannelClient({ adminKey: ADMIN, fetch: scripted([503]), logger, maxRetries: 1 });
    await tokens.checkChannelRelationship({ channelIds: [CH], accessToken: TOKEN }).catch(() => {});
    const network = new TalkChannelClient({ adminKey: ADMIN, logger, maxRetries: 0, fetch: async (_u, init) => Promise.reject(new Error(init.headers.Authorization)) });
    await network.checkChannelRelationship({ channelIds: [CH], accessToken: TOKEN }).catch(() => {});
    assert.deepEqual(lines.map((l) => l.level), ["warn", "warn", "warn", "warn", "warn", "warn"]);
    assert.match(lines[0].message, /GET \/v2\/api\/talk\/channels failed with HTTP 503 \(attempt 1\); retrying in 0 ms/);
    assert.deepEqual(lines[0].data, { endpoint: `GET ${CHECK}`, status: 503, attempt: 1, retryInMs: 0 });
    assert.match(lines[2].message, /failed with HTTP 503 after 2 attempt\(s\); giving up/);
    assert.deepEqual(lines[2].data, { endpoint: `GET ${CHECK}`, status: 503, attempts: 2 });
    assert.match(lines[5].message, /failed with a network error after 1 attempt\(s\); giving up/);
    const shown = lines.map((l) => JSON.stringify(l));
    assertNoSecret(shown, "warn log");
    for (const s of shown) assert.ok(!s.includes(String(USER)), `a user id above debug: ${s}`);
  });

  test('"off" logs nothing; a logger that throws does not break the call', async () => {
    const { lines, logger } = collecting();
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: scripted([503, 200]), logger, logLevel: "off" }), USER);
    assert.deepEqual(lines, []);
    const boom = () => {
      throw new Error("logger down");
    };
    const client = new TalkChannelClient({ adminKey: ADMIN, fetch: scripted([503, 200]), logLevel: "debug", logger: { debug: boom, info: boom, warn: boom, error: boom } });
    assert.equal((await check(client, USER)).userId, String(USER));
  });

  test("KAKAO_TALK_CHANNEL_LOG sets the default level (console by default); logLevel wins; an invalid value warns and falls back to warn", async () => {
    const debug = await child("log-child.mjs", ["env"], { KAKAO_TALK_CHANNEL_LOG: "debug" });
    assert.deepEqual(debug.result.levels, ["debug", "warn", "debug"]);
    assert.match(debug.stdout, /kakao-talk-channel: GET \/v2\/api\/talk\/channels → 200 in \d+ ms \(attempt 2\)/, "console.debug by default");
    const explicit = await child("log-child.mjs", ["explicit-warn"], { KAKAO_TALK_CHANNEL_LOG: "debug" });
    assert.deepEqual(explicit.result.levels, ["warn"]);
    const unset = await child("log-child.mjs", ["env"]);
    assert.deepEqual(unset.result.levels, ["warn"]);
    const invalid = await child("log-child.mjs", ["env"], { KAKAO_TALK_CHANNEL_LOG: "verbose" });
    // The warning about the variable (its text: env.test.mjs), then the retry: level "warn".
    assert.deepEqual(invalid.result.levels, ["warn", "warn"]);
  });
});

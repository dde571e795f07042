// Loggers as passed: the real pino and winston packages and `console`, each receiving every
// structured field (endpoint, status, attempt, retryInMs; at debug method, path, durationMs)
// with no key or user id; the logger's shape checked at construction (all four methods, own or
// inherited, a function object counting); the "onBatch threw" line carrying the thrown error.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import pino from "pino";
import winston from "winston";
import { TalkChannelClient, ValidationError } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";

const ADMIN = "logger0admin0key0000000000000001";
const USER = 4242424242;
const CHECK = "/v2/api/talk/channels";
const ENDPOINT = `GET ${CHECK}`;

/** 503 (Retry-After: 0), then 200. */
function scripted() {
  let i = 0;
  return async () =>
    i++ === 0
      ? new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": "0" } })
      : new Response(`{"user_id":${USER},"channels":[]}`);
}
const check = (client) => client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: USER });

function assertClean(texts) {
  for (const t of texts) {
    assert.ok(!t.includes(ADMIN), `a key in a log line: ${t}`);
    assert.ok(!t.includes(String(USER)), `a user id in a log line: ${t}`);
  }
}

const retryLine = { endpoint: ENDPOINT, status: 503, attempt: 1, retryInMs: 0 };
const retryMessage = `kakao-talk-channel: ${ENDPOINT} failed with HTTP 503 (attempt 1); retrying in 0 ms`;

describe("pino (called as (data, message), as it expects)", () => {
  const collect = (level, make = (p) => p) => {
    const raw = [];
    const logger = make(pino({ level }, { write: (s) => void raw.push(s) }));
    return { raw, logger, lines: () => raw.map((s) => JSON.parse(s)) };
  };

  test("the retry line keeps endpoint, status, attempt and retryInMs; no key or user id", async () => {
    const { raw, logger, lines } = collect("warn");
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: scripted(), logger }));
    assert.equal(raw.length, 1);
    const { level, time, pid, hostname, ...fields } = lines()[0];
    assert.equal(level, 40);
    assert.equal(typeof time, "number");
    assert.deepEqual(fields, { ...retryLine, msg: retryMessage });
    assertClean(raw);
  });

  test("debug: one line per attempt with method, path, status, durationMs, attempt, retryInMs; a child logger too", async () => {
    const { raw, logger, lines } = collect("debug", (p) => p.child({ module: "kakao" }));
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: scripted(), logger, logLevel: "debug" }));
    const got = lines().map(({ level, time, pid, hostname, durationMs, ...rest }) => {
      assert.ok(level === 40 || Number.isInteger(durationMs));
      return { level, ...rest };
    });
    assert.deepEqual(got, [
      { level: 20, module: "kakao", method: "GET", path: CHECK, status: 503, attempt: 1, retryInMs: 0, msg: `kakao-talk-channel: ${ENDPOINT} → HTTP 503 in ${lines()[0].durationMs} ms (attempt 1)` },
      { level: 40, module: "kakao", ...retryLine, msg: retryMessage },
      { level: 20, module: "kakao", method: "GET", path: CHECK, status: 200, attempt: 2, retryInMs: null, msg: `kakao-talk-channel: ${ENDPOINT} → 200 in ${lines()[2].durationMs} ms (attempt 2)` },
    ]);
    assertClean(raw);
  });
});

describe("winston (called as (message, data))", () => {
  test("the retry and give-up lines keep every field, in winston's JSON format; no key or user id", async () => {
    const raw = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        raw.push(String(chunk));
        done();
      },
    });
    const logger = winston.createLogger({ level: "debug", format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: scripted(), logger }));
    let n = 0;
    const failing = async () => {
      n++;
      return new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": "0" } });
    };
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: failing, logger, maxRetries: 1 })).catch(() => {});
    await new Promise((r) => setImmediate(r));
    assert.equal(n, 2);
    assert.deepEqual(
      raw.map((s) => JSON.parse(s)),
      [
        { level: "warn", message: retryMessage, ...retryLine },
        { level: "warn", message: retryMessage, ...retryLine },
        { level: "warn", message: `kakao-talk-channel: ${ENDPOINT} failed with HTTP 503 after 2 attempt(s); giving up`, endpoint: ENDPOINT, status: 503, attempts: 2 },
      ],
    );
    assertClean(raw);
  });
});

describe("console, passed as is", () => {
  test("debug lines on stdout and the retry on stderr, each with its data object", async () => {
    const child = fileURLToPath(new URL("./loggers/console-child.mjs", import.meta.url));
    const { stdout, stderr } = await new Promise((resolve, reject) =>
      execFile(process.execPath, [child, new URL("../pkg/node.js", import.meta.url).href, ADMIN, String(USER)], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(err) : resolve({ stdout, stderr }),
      ),
    );
    assert.match(stdout, /^result 4242424242$/m);
    const debug = stdout.replace(/^result .*\n/m, "");
    assert.match(debug, /kakao-talk-channel: GET \/v2\/api\/talk\/channels → HTTP 503 in \d+ ms \(attempt 1\) \{/);
    assert.match(debug, /kakao-talk-channel: GET \/v2\/api\/talk\/channels → 200 in \d+ ms \(attempt 2\) \{/);
    for (const field of [/method: 'GET'/, /path: '\/v2\/api\/talk\/channels'/, /status: 503/, /status: 200/, /durationMs: \d+/, /retryInMs: null/]) assert.match(debug, field);
    assert.ok(stderr.startsWith(`${retryMessage} {`), stderr);
    for (const field of [/endpoint: 'GET \/v2\/api\/talk\/channels'/, /status: 503/, /attempt: 1/, /retryInMs: 0/]) assert.match(stderr, field);
    assertClean([stderr, debug]);
  });
});

describe("the logger's shape, checked at construction", () => {
  const four = () => ({ debug() {}, info() {}, warn() {}, error() {} });
  const refusal = (logger) => {
    try {
      new TalkChannelClient({ logger });
    } catch (e) {
      assert.ok(e instanceof ValidationError);
      return { field: e.field, rule: e.rule, message: e.message };
    }
    return "accepted";
  };

  test("{} and { warning, err } are refused, naming the first missing method and listing all", () => {
    const all = "must be a function: a logger has debug, info, warn and error methods (like console); missing: debug, info, warn, error";
    assert.deepEqual(refusal({}), { field: "logger.debug", rule: "options.logger", message: `logger.debug: ${all}` });
    assert.deepEqual(refusal({ warning() {}, err() {} }), { field: "logger.debug", rule: "options.logger", message: `logger.debug: ${all}` });
    const { warn, ...noWarn } = four();
    assert.deepEqual(refusal(noWarn), {
      field: "logger.warn",
      rule: "options.logger",
      message: "logger.warn: must be a function: a logger has debug, info, warn and error methods (like console); missing: warn",
    });
    assert.equal(refusal({ ...four(), error: "not a function" }).field, "logger.error");
    assert.deepEqual(refusal("console"), {
      field: "logger",
      rule: "params.type",
      message: "logger: must be an object with debug/info/warn/error methods (like console); got a string",
    });
  });

  test("a function object with the four methods, and a class instance with inherited ones, are accepted and used", async () => {
    const lines = [];
    const fn = Object.assign(() => {}, Object.fromEntries(["debug", "info", "warn", "error"].map((l) => [l, (m, d) => void lines.push([l, m, d])])));
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: scripted(), logger: fn }));
    assert.deepEqual(lines, [["warn", retryMessage, retryLine]]);
    class Base {
      debug() {}
      info() {}
      warn(m, d) {
        lines.push(["inherited", m, d]);
      }
      error() {}
    }
    class Mine extends Base {}
    await check(new TalkChannelClient({ adminKey: ADMIN, fetch: scripted(), logger: new Mine() }));
    assert.deepEqual(lines[1], ["inherited", retryMessage, retryLine]);
  });

  test("a getter that throws while the shape is read: the constructor throws the caller's error", () => {
    const mine = new Error("my getter");
    const logger = new Proxy(four(), {
      get(t, k) {
        if (k === "warn") throw mine;
        return t[k];
      },
    });
    assert.throws(() => new TalkChannelClient({ logger }), (e) => e === mine);
  });
});

describe("onBatch that throws", () => {
  test("is logged at error with its batch index and the thrown error (name, message, stack), keys redacted", async () => {
    const emu = createKakaoEmulator();
    emu.addChannel("_ZeUTxl");
    emu.addUser(1);
    const lines = [];
    const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (message, data) => void lines.push({ level, message, data })]));
    const client = new TalkChannelClient({ adminKey: emu.adminKey, fetch: emu.fetch, baseUrl: emu.baseUrl, logger });
    const r = await client.checkChannelRelationshipMulti(
      { userIds: ["1"], channelIds: ["_ZeUTxl"] },
      {
        onBatch: () => {
          throw new TypeError(`progress bar broke (${emu.adminKey})`);
        },
      },
    );
    assert.equal(r.users.length, 1);
    assert.equal(lines.length, 1);
    const { level, message, data } = lines[0];
    assert.equal(level, "error");
    assert.equal(message, "kakao-talk-channel: onBatch threw for batch 0; the batch is reported in the call's result all the same");
    assert.deepEqual(Object.keys(data).sort(), ["error", "index"]);
    assert.equal(data.index, 0);
    assert.equal(data.error.name, "TypeError");
    assert.match(data.error.message, /^progress bar broke \(/);
    assert.match(data.error.stack, /TypeError: progress bar broke/);
    assert.ok(!JSON.stringify(data).includes(emu.adminKey), JSON.stringify(data));
  });
});

// The JS side of the wasm edge that Rust calls into; not part of the public API: the HTTP
// attempt on the caller's `fetch` (`__attempt`), logging (`__log`), hooks and `onBatch` (`__hook`,
// `__onBatch`), and the way back (`parseResult`, `revive`, `withMetadata`). The caller's values
// are packed before a call by pack.js.

// No imports: wasm-bindgen copies this file alone as a snippet. client.js hands over how error
// records become error classes (`__setErrorMaker`).
/** @type {(record: unknown, reason: unknown) => unknown} */
let makeError = (record) => record;

/** Called once by client.js: `fromRecord` of errors.js. */
export function __setErrorMaker(f) {
  makeError = f;
}

function abortReason(signal) {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error("This operation was aborted");
  e.name = "AbortError";
  return e;
}

function quietly(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

const MAX_CAUSE_DEPTH = 4;
const MAX_TEXT = 2000;

function text(v) {
  const s = typeof v === "string" ? v : quietly(() => String(v));
  if (typeof s !== "string") return undefined;
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}… (${s.length - MAX_TEXT} more characters)` : s;
}

/**
 * A copy of what `fetch` threw, as plain data: name, message, stack, code, its own enumerable
 * properties (strings, numbers, booleans; objects one level down as text) and its `cause`
 * chain, each read inside `try`. Rust redacts every string of it (keys, also percent-encoded)
 * and the error's `cause` is rebuilt from that copy, so nothing the caller's fetch put in its
 * error can carry a key out.
 */
export function snapshotError(err, depth = 0) {
  if (err === null || (typeof err !== "object" && typeof err !== "function")) {
    return { name: "Error", message: text(err) ?? "", thrown: typeof err };
  }
  const out = { name: "Error", message: "" };
  const name = quietly(() => err.name);
  if (typeof name === "string") out.name = text(name);
  const message = quietly(() => err.message);
  if (message !== undefined) out.message = text(message) ?? "";
  const stack = quietly(() => err.stack);
  if (typeof stack === "string") out.stack = text(stack);
  const props = {};
  const keys = quietly(() => Object.keys(err)) ?? [];
  for (const k of keys.slice(0, 32)) {
    if (k === "name" || k === "message" || k === "stack" || k === "cause") continue;
    const v = quietly(() => err[k]);
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) props[k] = typeof v === "string" ? text(v) : v;
    else if (typeof v === "object") props[k] = text(quietly(() => JSON.stringify(v)) ?? "[object]");
  }
  if (Object.keys(props).length > 0) out.props = props;
  const cause = quietly(() => err.cause);
  if (cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = snapshotError(cause, depth + 1);
  return out;
}

/** The response headers as a plain object (at most 64, names lower-cased), for errors, hooks and `$metadata`. */
function headerObject(response) {
  const out = {};
  let n = 0;
  quietly(() =>
    response.headers.forEach((value, name) => {
      if (n++ < 64) out[String(name).toLowerCase()] = text(value);
    }),
  );
  return out;
}

/**
 * Reads at most `maxBytes` of `response`'s body, racing `aborted`: resolves to `[text, cut]`,
 * `cut` undefined when the whole body was read, else the bytes seen (or declared by
 * `Content-Length`; a lower bound) when the answer is larger than `maxBytes`; then the rest
 * is cancelled, never read. The body is read as a stream (`response.body.getReader()`), so a huge answer
 * costs `maxBytes` at most; a Response-like object without a stream body falls back to
 * `text()`, its length checked after. Decoded as UTF-8 with replacement, like `text()`.
 */
async function readCapped(response, maxBytes, aborted) {
  const declared = quietly(() => Number(response.headers.get("content-length")));
  const stream = quietly(() => response.body);
  const cancel = () => quietly(() => stream?.cancel?.()?.catch?.(() => {}));
  if (typeof declared === "number" && declared > maxBytes) {
    cancel();
    return ["", declared];
  }
  const reader = quietly(() => stream?.getReader?.());
  if (reader === undefined || reader === null) {
    const read = quietly(() => response.text);
    if (typeof read !== "function") throw new TypeError("the answer has neither a body stream nor text()");
    const out = await Promise.race([read.call(response), aborted]);
    const whole = typeof out === "string" ? out : "";
    // A UTF-16 unit is 1 to 3 UTF-8 bytes: only a length between maxBytes / 3 and maxBytes
    // needs encoding to know; the length itself is a lower bound of the byte count.
    const over = whole.length > maxBytes || (whole.length * 3 > maxBytes && new TextEncoder().encode(whole).length > maxBytes);
    return over ? [whole.slice(0, Math.floor(maxBytes / 4)), whole.length] : [whole, undefined];
  }
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("the answer's body stream gave something that is not bytes");
      if (total + value.length > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - total));
        total += value.length;
        quietly(() => reader.cancel().catch(() => {}));
        return [decodeChunks(chunks), total];
      }
      chunks.push(value);
      total += value.length;
    }
  } catch (err) {
    quietly(() => reader.cancel().catch(() => {}));
    throw err;
  }
  return [decodeChunks(chunks), undefined];
}

function decodeChunks(chunks) {
  const decoder = new TextDecoder();
  let out = "";
  for (const c of chunks) out += decoder.decode(c, { stream: true });
  return out + decoder.decode();
}

// One HTTP attempt, bounded by `timeoutMs` (headers and body, through an AbortController whose
// signal goes to `fetch`) and by the caller's `signal` (or undefined); at most `maxBytes` of
// the answer are read (see readCapped). Redirects are not followed (`redirect: "manual"`):
// Kakao's API never redirects, so a 3xx reaches Rust as a status. Never rejects; resolves to
// one of the shapes `AttemptOutcome` in src/wasm/transport.rs reads by name:
// `{ status, body, retryAfter, headers, cut }` (an answer: `retryAfter` and `cut` may be
// undefined, `headers` is JSON), `{ aborted: true, reason }` (the caller aborted),
// `{ timedOut: true }`, or `{ cause }` (fetch failed, resolved to a network error Response, or
// did not give a Response: `cause` is the error's snapshot JSON). Nothing is validated here.
export async function __attempt(fetch, url, method, authorization, body, timeoutMs, signal, maxBytes) {
  try {
    if (signal !== undefined && signal.aborted === true) return aborted(signal);
    if (typeof AbortController !== "function") return failed("AbortController is missing");
    const controller = new AbortController();
    const own = controller.signal;
    let reject;
    const stopped = new Promise((_resolve, rej) => {
      reject = rej;
    });
    stopped.catch(() => {});
    // The timer and the caller's signal abort the request (a fetch that honours its signal
    // stops) and settle `stopped` (so that one that does not is given up on all the same).
    const abort = () => {
      try {
        controller.abort();
      } finally {
        reject(new Error("aborted"));
      }
    };
    const timer = quietly(() => setTimeout(abort, timeoutMs));
    if (signal !== undefined) quietly(() => signal.addEventListener("abort", abort));
    const classify = (err) =>
      signal !== undefined && quietly(() => signal.aborted) === true ? aborted(signal) : own.aborted === true ? { timedOut: true } : failed(err);
    try {
      const headers = { Authorization: authorization };
      const init = { method, redirect: "manual" };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        // The JSON bytes (cheaper than a string: see send_once in transport.rs), whose
        // `toString()` is the JSON text: a test double's `JSON.parse(init.body)` or
        // `String(init.body)` reads it as it would a string body; fetch sends the bytes.
        Object.defineProperty(body, "toString", { value: () => new TextDecoder().decode(body), configurable: true, writable: true });
        init.body = body;
      }
      init.headers = headers;
      init.signal = own;
      let response;
      try {
        response = await Promise.race([fetch(url, init), stopped]);
      } catch (err) {
        return classify(err);
      }
      const status = quietly(() => response.status);
      if (typeof status !== "number" || !(status >= 100 && status <= 599)) {
        const type = quietly(() => response.type);
        // `redirect: "manual"` in a browser-like fetch gives an opaque redirect (status 0).
        if (type === "opaqueredirect") return answer(302, "", undefined, "{}", undefined);
        // `Response.error()`: how a fetch reports a network error without rejecting.
        if (type === "error") {
          return failed('fetch resolved to a network error Response (Response.error(): type "error", status 0)');
        }
        return failed("fetch resolved to something that is not a Response (no numeric status)");
      }
      const retryAfter = quietly(() => {
        const v = response.headers.get("retry-after");
        return typeof v === "string" ? v : undefined;
      });
      const headerJson = JSON.stringify(headerObject(response));
      let out;
      try {
        out = await readCapped(response, maxBytes, stopped);
      } catch (err) {
        return classify(err);
      }
      return answer(Math.trunc(status), out[0], retryAfter, headerJson, out[1]);
    } finally {
      if (typeof clearTimeout === "function") quietly(() => clearTimeout(timer));
      if (signal !== undefined) quietly(() => signal.removeEventListener("abort", abort));
    }
  } catch (err) {
    return failed(err);
  }
}

/** An attempt that got an answer (`AttemptOutcome` in src/wasm/transport.rs). */
function answer(status, body, retryAfter, headers, cut) {
  return { status, body, retryAfter, headers, cut };
}

/** An attempt the caller's signal aborted. */
function aborted(signal) {
  return { aborted: true, reason: abortReason(signal) };
}

/** An attempt whose fetch failed with `err`. */
function failed(err) {
  return { cause: JSON.stringify(snapshotError(err)) };
}

const LOGGER_METHODS = ["debug", "info", "warn", "error"];

/**
 * Is `logger` pino (called `(data, message)`)? By pino's shape: `child` and `bindings`
 * methods, a numeric `levelVal` and `levels.values`. winston and console have no `levelVal`.
 */
function isPino(logger) {
  return (
    typeof logger.child === "function" &&
    typeof logger.bindings === "function" &&
    typeof logger.levelVal === "number" &&
    logger.levels !== null &&
    typeof logger.levels === "object" &&
    logger.levels.values !== null &&
    typeof logger.levels.values === "object"
  );
}

/**
 * What the client needs of a `logger` option, as plain data (JSON) for the wasm, which holds the
 * rule: which of the four methods are functions (own or inherited), and whether it is pino.
 * Undefined when `logger` is not an object or a function. Throws what the caller's getters throw.
 */
export function loggerShape(logger) {
  if (logger === null || (typeof logger !== "object" && typeof logger !== "function")) return undefined;
  const functions = LOGGER_METHODS.filter((m) => typeof logger[m] === "function");
  return JSON.stringify({ functions, pino: isPino(logger) });
}

/**
 * `logger[level](message, data)`, or `logger[level](data, message)` when `style` is
 * "data-first" (pino); `console` when `logger` is undefined. Never throws.
 */
export function __log(logger, style, level, message, data) {
  try {
    const target = logger === undefined ? console : logger;
    const method = target[level];
    if (typeof method !== "function") return;
    const fields = JSON.parse(data);
    const p = style === "data-first" ? method.call(target, fields, message) : method.call(target, message, fields);
    if (p !== null && typeof p === "object" && typeof p.catch === "function") p.catch(() => {});
  } catch {
    // A logger that throws must not break the call it logs.
  }
}

/** Dates travel as epoch milliseconds under these keys; they become `Date`s here, and only here. */
const DATE_KEYS = new Set(["createdAt", "updatedAt"]);

/** The `JSON.parse` reviver of every result: the one place where `Date`s are made. */
export function revive(key, value) {
  return typeof value === "number" && DATE_KEYS.has(key) ? new Date(value) : value;
}

/** A result of the wasm runner (JSON text), dates revived. */
export function parseResult(json) {
  return JSON.parse(json, revive);
}

/**
 * A result of the wasm runner, `[result JSON, $metadata JSON | undefined]`: the result, dates
 * revived, with its metadata as a non-enumerable `$metadata` (parsed on first read), so that
 * `JSON.stringify`, `Object.keys` and spreading give the data alone.
 */
export function withMetadata(pair) {
  const result = parseResult(pair[0]);
  const meta = pair[1];
  if (typeof meta === "string" && result !== null && typeof result === "object") {
    let parsed;
    Object.defineProperty(result, "$metadata", {
      get() {
        if (parsed === undefined) parsed = JSON.parse(meta);
        return parsed;
      },
      enumerable: false,
      configurable: true,
    });
  }
  return result;
}

/**
 * Calls a caller's `onRequest` / `onResponse` hook (`name`) with `info` (JSON), plus, for a
 * failed attempt (`record` a string), `error`: the error class made from the record, or
 * `reason` (an abort) when the record is "". Never throws and never waits: returns a snapshot
 * (JSON, as `snapshotError`) of what the hook threw, else undefined; a promise it returns is
 * not awaited, its rejection goes to `report(name, snapshot)` (the wasm's logger).
 */
export function __hook(hook, info, record, reason, report, name) {
  try {
    const i = JSON.parse(info);
    if (typeof record === "string") i.error = record === "" ? reason : makeError(JSON.parse(record), reason);
    const p = hook(i);
    if (p !== null && typeof p === "object" && typeof p.then === "function") {
      Promise.resolve(p).then(undefined, (thrown) => {
        quietly(() => report(name, JSON.stringify(snapshotError(thrown))));
      });
    }
    return undefined;
  } catch (thrown) {
    return quietly(() => JSON.stringify(snapshotError(thrown))) ?? "{}";
  }
}

/**
 * Tells the caller's `onBatch` that a batch settled: `{ index, userIds, result }` or
 * `{ index, userIds, error }` (the error class, or the abort reason). Returns a snapshot (JSON,
 * as `snapshotError`) of what it threw synchronously, for the log line, else undefined; never
 * throws.
 */
export function __onBatch(onBatch, event, reason) {
  try {
    const e = JSON.parse(event, revive);
    if (e.error !== undefined) e.error = e.error === null ? reason : makeError(e.error, reason);
    const p = onBatch(e);
    if (p !== null && typeof p === "object" && typeof p.catch === "function") p.catch(() => {});
    return undefined;
  } catch (thrown) {
    return quietly(() => JSON.stringify(snapshotError(thrown))) ?? "{}";
  }
}

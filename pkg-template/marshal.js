// The JS side of the wasm edge; not part of the public API. Every read of a caller's value
// happens here, inside `try`, before a call enters wasm: Rust only ever sees strings this file
// wrote, so a throwing getter, a Proxy trap or a revoked Proxy can neither unwind through wasm
// frames nor hang a call. Nothing is validated here: the Rust side (src/api/packed.rs, then
// src/api/input.rs) applies every rule.
//
// Format (read by src/api/packed.rs): tokens joined by NUL.
//   u undefined · z null · t true · f false · n<decimal> number (String(n): exact round trip)
//   s<text> string · e<JSON string> a string that contains a NUL · b<decimal> bigint
//   o<count> an object (a plain object's own enumerable string keys, or a Map's entries when
//     every key is a string), then per entry its key (a string token) and its value
//   a<count> an array, then its elements (holes as u)
//   c<count> an array of `count` users packed separately, in chunks (packUsers)
//   h<kind><index> a handle: hf a function, hs an AbortSignal, ho any other object that must
//     stay a JS value (the logger); the value is `handles[index]`
//   x<what> a value that is not plain data, by what it is ("a Date", "a Set",
//     "an instance of Customer", "a symbol", "an object nested too deeply", "a cycle", ...)

// No imports: wasm-bindgen copies this file alone as a snippet. client.js hands over how error
// records become error classes (`__setErrorMaker`).
/** @type {(record: unknown, reason: unknown) => unknown} */
let makeError = (record) => record;

/** Called once by client.js: `fromRecord` of errors.js. */
export function __setErrorMaker(f) {
  makeError = f;
}

const MAX_DEPTH = 32;
/** Users per packed chunk: Kakao's add batch. Wasm memory then holds one chunk at a time. */
export const CHUNK = 2000;

function describe(v) {
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "function") return "a function";
  if (v instanceof Date) return "a Date";
  if (v instanceof Set) return "a Set";
  if (v instanceof Map) return "a Map with a key that is not a string";
  if (v instanceof RegExp) return "a RegExp";
  if (v instanceof Promise) return "a Promise";
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return "binary data";
  if (v instanceof String || v instanceof Number || v instanceof Boolean) return "a boxed primitive";
  const proto = Object.getPrototypeOf(v);
  const name = proto?.constructor?.name;
  if (typeof name === "string" && name !== "" && name !== "Object") return `an instance of ${name}`;
  return "an object with a prototype";
}

function str(s, out) {
  out.push(strToken(s));
}

/** Is `v` an object whose own enumerable keys are all there is to it? */
function isPlain(v) {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function packValue(v, out, handles, depth, seen) {
  switch (typeof v) {
    case "undefined":
      out.push("u");
      return;
    case "boolean":
      out.push(v ? "t" : "f");
      return;
    case "number":
      out.push(`n${v}`);
      return;
    case "string":
      str(v, out);
      return;
    case "bigint":
      out.push(`b${v}`);
      return;
    case "function":
      out.push(`hf${handles.push(v) - 1}`);
      return;
    case "symbol":
      out.push("xa symbol");
      return;
  }
  if (v === null) {
    out.push("z");
    return;
  }
  if (depth >= MAX_DEPTH) {
    out.push("xan object nested too deeply");
    return;
  }
  if (seen.has(v)) {
    out.push("xa cycle (an object that contains itself)");
    return;
  }
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      const n = v.length;
      out.push(`a${n}`);
      for (let i = 0; i < n; i++) packValue(v[i], out, handles, depth + 1, seen);
    } else if (typeof AbortSignal === "function" && v instanceof AbortSignal) {
      out.push(`hs${handles.push(v) - 1}`);
    } else if (v instanceof Map && [...v.keys()].every((k) => typeof k === "string")) {
      out.push(`o${v.size}`);
      for (const [k, x] of v) {
        str(k, out);
        packValue(x, out, handles, depth + 1, seen);
      }
    } else if (isPlain(v)) {
      const keys = Object.keys(v);
      out.push(`o${keys.length}`);
      for (let i = 0; i < keys.length; i++) {
        str(keys[i], out);
        packValue(v[keys[i]], out, handles, depth + 1, seen);
      }
    } else {
      out.push(`x${describe(v)}`);
    }
  } finally {
    seen.delete(v);
  }
}

/**
 * Packs `values` (the arguments of one call) into `{ text, handles, chunks }`. In a plain
 * object argument, the array under `usersKey` (the users of an add call) is packed into
 * `chunks` of CHUNK users instead (one string each), `c<count>` standing in its place, and an
 * object under `keepKey` (the logger) is kept as a handle. Throws whatever the caller's values
 * throw (a getter, a Proxy trap).
 */
export function pack(values, usersKey, keepKey) {
  const out = [String(values.length)];
  const handles = [];
  let chunks;
  const seen = new Set();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || typeof v !== "object" || Array.isArray(v) || !isPlain(v)) {
      packValue(v, out, handles, 0, seen);
      continue;
    }
    const keys = Object.keys(v);
    out.push(`o${keys.length}`);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      str(key, out);
      const x = v[key];
      if (key === usersKey && Array.isArray(x)) {
        chunks = packUsers(x, handles);
        out.push(`c${x.length}`);
      } else if (key === keepKey && x !== null && typeof x === "object") {
        out.push(`ho${handles.push(x) - 1}`);
      } else packValue(x, out, handles, 1, seen);
    }
  }
  return { text: out.join("\0"), handles, chunks };
}

/** A string's token: `s` + the text, or `e` + its JSON when it holds a NUL. */
function strToken(s) {
  return s.includes("\0") ? `e${JSON.stringify(s)}` : `s${s}`;
}

/** Field names repeat from user to user: their tokens are made once (up to 256 names). */
const keyTokens = new Map();
function keyToken(k) {
  let t = keyTokens.get(k);
  if (t === undefined) {
    t = strToken(k);
    if (keyTokens.size < 256) keyTokens.set(k, t);
  }
  return t;
}

/**
 * A plain object's own keys and values as one string of tokens (the fast path for the two
 * levels of a user: `inner` names the key whose plain-object value is packed the same way).
 * The same tokens packValue would write.
 */
function packFlat(v, handles, seen, inner) {
  const keys = Object.keys(v);
  let line = `o${keys.length}`;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const x = v[key];
    line += `\0${keyToken(key)}\0`;
    if (typeof x === "string") line += strToken(x);
    else if (typeof x === "number") line += `n${x}`;
    else if (key === inner && x !== null && typeof x === "object" && !Array.isArray(x) && isPlain(x)) {
      line += packFlat(x, handles, seen, undefined);
    } else {
      const sub = [];
      packValue(x, sub, handles, 2, seen);
      line += sub.join("\0");
    }
  }
  return line;
}

/** The users, CHUNK to a string. A plain `{ id, fields }` user takes a fast path that packs
 * exactly what packValue would. */
function packUsers(users, handles) {
  const chunks = [];
  const seen = new Set();
  const n = users.length;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(start + CHUNK, n);
    const out = [];
    for (let i = start; i < end; i++) {
      const u = users[i];
      if (u !== null && typeof u === "object" && Object.getPrototypeOf(u) === Object.prototype) {
        out.push(packFlat(u, handles, seen, "fields"));
      } else packValue(u, out, handles, 1, seen);
    }
    chunks.push(out.join("\0"));
  }
  return chunks;
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

function headerObject(response) {
  const out = {};
  quietly(() =>
    response.headers.forEach((value, name) => {
      if (Object.keys(out).length < 64) out[String(name).toLowerCase()] = text(value);
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
// [0, status, body, retryAfter | undefined, headers JSON, cut | undefined], [1, reason] (the
// caller aborted), [2] (timed out) or [3, error snapshot JSON] (fetch failed, resolved to a
// network error Response, or did not give a Response). Nothing is validated here.
export async function __attempt(fetch, url, method, authorization, body, timeoutMs, signal, maxBytes) {
  try {
    if (signal !== undefined && signal.aborted === true) return [1, abortReason(signal)];
    if (typeof AbortController !== "function") return [3, JSON.stringify(snapshotError("AbortController is missing"))];
    const controller = new AbortController();
    const own = controller.signal;
    let reject;
    const aborted = new Promise((_resolve, rej) => {
      reject = rej;
    });
    aborted.catch(() => {});
    // The timer and the caller's signal abort the request (a fetch that honours its signal
    // stops) and settle `aborted` (so that one that does not is given up on all the same).
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
      signal !== undefined && quietly(() => signal.aborted) === true
        ? [1, abortReason(signal)]
        : own.aborted === true
          ? [2]
          : [3, JSON.stringify(snapshotError(err))];
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
        response = await Promise.race([fetch(url, init), aborted]);
      } catch (err) {
        return classify(err);
      }
      const status = quietly(() => response.status);
      if (typeof status !== "number" || !(status >= 100 && status <= 599)) {
        const type = quietly(() => response.type);
        // `redirect: "manual"` in a browser-like fetch gives an opaque redirect (status 0).
        if (type === "opaqueredirect") return [0, 302, "", undefined, "{}", undefined];
        // `Response.error()`: how a fetch reports a network error without rejecting.
        if (type === "error") {
          return [3, JSON.stringify(snapshotError('fetch resolved to a network error Response (Response.error(): type "error", status 0)'))];
        }
        return [3, JSON.stringify(snapshotError("fetch resolved to something that is not a Response (no numeric status)"))];
      }
      const retryAfter = quietly(() => {
        const v = response.headers.get("retry-after");
        return typeof v === "string" ? v : undefined;
      });
      const ok = status >= 200 && status < 300;
      const headerJson = ok ? "{}" : JSON.stringify(headerObject(response));
      let out;
      try {
        out = await readCapped(response, maxBytes, aborted);
      } catch (err) {
        return classify(err);
      }
      return [0, Math.trunc(status), out[0], retryAfter, headerJson, out[1]];
    } finally {
      if (typeof clearTimeout === "function") quietly(() => clearTimeout(timer));
      if (signal !== undefined) quietly(() => signal.removeEventListener("abort", abort));
    }
  } catch (err) {
    return [3, JSON.stringify(snapshotError(err))];
  }
}

/** `logger[level](message, data)`, `console` when `logger` is undefined; never throws. */
export function __log(logger, level, message, data) {
  try {
    const target = logger === undefined ? console : logger;
    const method = target[level];
    if (typeof method !== "function") return;
    const p = method.call(target, message, JSON.parse(data));
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
 * Tells the caller's `onBatch` that a batch settled: `{ index, userIds, result }` or
 * `{ index, userIds, error }` (the error class, or the abort reason). Returns false when it
 * threw or rejected synchronously; never throws.
 */
export function __onBatch(onBatch, event, reason) {
  try {
    const e = JSON.parse(event, revive);
    if (e.error !== undefined) e.error = e.error === null ? reason : makeError(e.error, reason);
    const p = onBatch(e);
    if (p !== null && typeof p === "object" && typeof p.catch === "function") p.catch(() => {});
    return true;
  } catch {
    return false;
  }
}

// One HTTP attempt on the caller's `fetch` (`__attempt`, called by src/wasm/transport.rs): the
// request, the timeout and the caller's signal, the answer read with a byte cap; not part of
// the public API.

// Imports only its sibling snippet shared.js: wasm-bindgen copies both side by side.
import { quietly, snapshotError, text } from "./shared.js";

/** @param {any} signal */
function abortReason(signal) {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error("This operation was aborted");
  e.name = "AbortError";
  return e;
}

/**
 * The response headers as a plain object (at most 64, names lower-cased), for errors, hooks and `$metadata`.
 * @param {any} response
 * @returns {Record<string, string | undefined>}
 */
function headerObject(response) {
  /** @type {Record<string, string | undefined>} */
  const out = {};
  let n = 0;
  quietly(() =>
    response.headers.forEach((/** @type {unknown} */ value, /** @type {unknown} */ name) => {
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
 * @param {any} response
 * @param {number} maxBytes
 * @param {Promise<never>} aborted
 * @returns {Promise<[string, number | undefined]>}
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
  /** @type {Uint8Array[]} */
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

/**
 * One decoder for every answer (making one per answer cost more than the decoding): each use
 * below runs to its final `decode()` without an `await`, so no two answers share its state.
 */
const utf8 = new TextDecoder();

/** @param {Uint8Array[]} chunks */
function decodeChunks(chunks) {
  if (chunks.length === 1) return utf8.decode(chunks[0]);
  let out = "";
  try {
    for (const c of chunks) out += utf8.decode(c, { stream: true });
  } catch (err) {
    // Bytes a throw left pending must not begin the next answer.
    utf8.decode();
    throw err;
  }
  return out + utf8.decode();
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
/**
 * @param {any} fetch the caller's `fetch` or the global one
 * @param {string} url
 * @param {string} method
 * @param {string} authorization
 * @param {Uint8Array | undefined} body
 * @param {number} timeoutMs
 * @param {any} signal the caller's signal, or undefined
 * @param {number} maxBytes
 */
export async function __attempt(fetch, url, method, authorization, body, timeoutMs, signal, maxBytes) {
  try {
    if (signal !== undefined && signal.aborted === true) return aborted(signal);
    if (typeof AbortController !== "function") return failed("AbortController is missing");
    const controller = new AbortController();
    const own = controller.signal;
    /** @type {(e: Error) => void} */
    let reject = () => {};
    /** @type {Promise<never>} */
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
    const classify = (/** @type {unknown} */ err) =>
      signal !== undefined && quietly(() => signal.aborted) === true ? aborted(signal) : own.aborted === true ? { timedOut: true } : failed(err);
    try {
      /** @type {Record<string, string>} */
      const headers = { Authorization: authorization };
      /** @type {Record<string, unknown>} */
      const init = { method, redirect: "manual" };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        // The JSON bytes (cheaper than a string: see send_once in transport.rs), whose
        // `toString()` is the JSON text: a test double's `JSON.parse(init.body)` or
        // `String(init.body)` reads it as it would a string body; fetch sends the bytes.
        Object.defineProperty(body, "toString", { value: () => utf8.decode(body), configurable: true, writable: true });
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

/**
 * An attempt that got an answer (`AttemptOutcome` in src/wasm/transport.rs).
 * @param {number} status
 * @param {string} body
 * @param {string | undefined} retryAfter
 * @param {string} headers
 * @param {number | undefined} cut
 */
function answer(status, body, retryAfter, headers, cut) {
  return { status, body, retryAfter, headers, cut };
}

/**
 * An attempt the caller's signal aborted.
 * @param {any} signal
 */
function aborted(signal) {
  return { aborted: true, reason: abortReason(signal) };
}

/**
 * An attempt whose fetch failed with `err`.
 * @param {unknown} err
 */
function failed(err) {
  return { cause: JSON.stringify(snapshotError(err)) };
}

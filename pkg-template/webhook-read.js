// Reading a webhook delivery for webhook.js: a fetch Request's (or plain headers') method,
// Authorization and resource id, and its body, streamed with a byte cap and a deadline. Each read
// of the caller's value is inside try: a throwing getter or Proxy becomes a ValidationError, never
// a hang or an uncaught exception. The rules the values then meet are Rust's (webhook.js).
import { ValidationError } from "./errors.js";
import { wellFormed } from "./pack.js";

/** @typedef {{ method: string; authorization: string | undefined; resourceId: string | undefined }} Head */

/** What a deadline gives in place of a value. */
export const TIMED_OUT = Symbol("timed out");

/**
 * @param {string} field
 * @param {import("./errors.js").ValidationRule} rule (type-checked against the Rust rule table)
 * @param {string} message
 */
function invalid(field, rule, message) {
  return new ValidationError(`${field}: ${message}`, { field, rule });
}

/**
 * Errors that are a server's wiring mistake (a Node `req` given for a Request): a 500, not a 400.
 * @type {WeakSet<object>}
 */
export const WIRING = new WeakSet();

function nodeRequestGiven() {
  const err = invalid(
    "request",
    "params.type",
    'must be a fetch Request, not a Node IncomingMessage (req): on node:http, Express or Fastify use createNodeWebhookHandler(options) or toNodeHandler(handle) from "kakao-talk-channel", which stream the body with the same 16 KiB cap and deadline',
  );
  WIRING.add(err);
  return err;
}

const text = (/** @type {unknown} */ v) => (typeof v === "string" ? v : undefined);

/**
 * Method, `Authorization` and `X-Kakao-Resource-ID`, as plain strings (or undefined).
 * @param {any} request the caller's, read inside try
 * @returns {Head}
 */
export function readHead(request) {
  const notARequest = invalid("request", "params.type", "must be a Request (its method and headers could not be read)");
  if (request === null || typeof request !== "object") throw notARequest;
  let node = false;
  /** @type {Head | undefined} */
  let head;
  try {
    const method = request.method;
    const headers = request.headers;
    // A Node IncomingMessage (or Fastify's request): headers a plain object, `rawHeaders`, `on`.
    node =
      (headers !== null && typeof headers === "object" && typeof headers.get !== "function") ||
      Array.isArray(request.rawHeaders) ||
      typeof request.on === "function";
    if (!node) {
      const authorization = headers.get("authorization");
      const resourceId = headers.get("x-kakao-resource-id");
      head = { method: text(method) ?? "", authorization: text(authorization), resourceId: text(resourceId) };
    }
  } catch {
    throw notARequest;
  }
  if (node) throw nodeRequestGiven();
  return /** @type {Head} */ (head); // set unless `node`
}

const HEADER_NAMES = ["authorization", "x-kakao-resource-id"];

/**
 * `Authorization` and `X-Kakao-Resource-ID` from a `Headers` (anything with `get`, but a Map),
 * or from an object or Map of values (Node's `req.headers`): names matched case-insensitively,
 * a `string[]` (or a name given twice) joined with ", " as fetch's Headers joins them.
 * @param {any} headers the caller's, read inside try
 * @returns {Head}
 */
export function readHeaders(headers) {
  const notHeaders = invalid("headers", "params.type", 'must be a Headers or an object of header values ({ authorization, "x-kakao-resource-id" })');
  if (headers === null || typeof headers !== "object") throw notHeaders;
  /** @type {(string | undefined)[]} */
  let found;
  /** @type {string | undefined} */
  let bad;
  try {
    if (typeof headers.get === "function" && !(headers instanceof Map)) {
      found = HEADER_NAMES.map((name) => text(headers.get(name)));
    } else {
      const values = HEADER_NAMES.map(() => /** @type {unknown[]} */ ([]));
      /** @type {[unknown, unknown][]} */
      const entries = headers instanceof Map ? [...headers] : Object.keys(headers).map((k) => [k, headers[k]]);
      for (const [key, value] of entries) {
        const at = typeof key === "string" ? HEADER_NAMES.indexOf(key.toLowerCase()) : -1;
        if (at < 0 || value === undefined) continue;
        const list = Array.isArray(value) ? [...value] : [value];
        if (!list.every((v) => typeof v === "string")) bad ??= HEADER_NAMES[at];
        values[at].push(...list);
      }
      found = values.map((list) => (list.length > 0 ? list.join(", ") : undefined));
    }
  } catch {
    throw notHeaders;
  }
  if (bad !== undefined) throw invalid(`headers.${bad}`, "params.type", "must be a string or an array of strings");
  return { method: "POST", authorization: found[0], resourceId: found[1] };
}

/**
 * The bytes of a body given whole: a string (as UTF-8), a Uint8Array (a Node Buffer is one),
 * another view or an ArrayBuffer; at most `maxBytes` (else `webhook.body_too_large`).
 * @param {unknown} body
 * @param {number} maxBytes
 * @returns {Uint8Array}
 */
export function bodyBytes(body, maxBytes) {
  const tooLarge = () => invalid("body", "webhook.body_too_large", `is larger than ${maxBytes} bytes`);
  if (typeof body === "string") {
    if (longerThan(body, maxBytes)) throw tooLarge();
    // TextEncoder would turn a lone surrogate into U+FFFD: refused instead, as invalid UTF-8 is.
    if (!wellFormed(body)) throw invalid("body", "webhook.utf8", "is not well-formed text (a lone surrogate): pass Kakao's raw bytes");
    return new TextEncoder().encode(body);
  }
  /** @type {Uint8Array | undefined} */
  let bytes;
  try {
    if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  } catch {
    // A detached buffer, a view whose getters throw: not bytes we can read.
  }
  if (bytes === undefined) {
    const what = body === null ? "null" : Array.isArray(body) ? "an array" : typeof body === "object" ? "an object (a body parser's result? Kakao's bytes are gone: pass the raw body)" : typeof body;
    throw invalid("body", "params.type", `must be the raw body: a string or bytes (Uint8Array, Buffer); got ${what}`);
  }
  if (bytes.byteLength > maxBytes) throw tooLarge();
  return bytes;
}

/**
 * @param {{ cancel(reason?: unknown): unknown }} reader
 * @param {unknown} reason
 */
export function cancel(reader, reason) {
  try {
    Promise.resolve(reader.cancel(reason)).catch(() => {});
  } catch {
    // A reader without a working cancel(): nothing more to do.
  }
}

/**
 * Whether `s` is longer than `max` bytes in UTF-8 (each UTF-16 unit is 1 to 3 bytes).
 * @param {string} s
 * @param {number} max
 */
function longerThan(s, max) {
  if (s.length > max) return true;
  return s.length * 3 > max && new TextEncoder().encode(s).length > max;
}

/**
 * The body's bytes: at most `maxBytes` bytes (else `webhook.body_too_large`), read within
 * `timeoutMs` (else `webhook.body_timeout`); the stream is cancelled in both cases. Read from
 * `request.body` when it is a stream, else from `request.text()`.
 * @param {any} request the caller's, read inside try
 * @param {number} maxBytes
 * @param {number} timeoutMs
 * @returns {Promise<Uint8Array>}
 */
export async function readBody(request, maxBytes, timeoutMs) {
  const tooLarge = () => invalid("body", "webhook.body_too_large", `is larger than ${maxBytes} bytes`);
  const timedOut = () => invalid("body", "webhook.body_timeout", `was not received within ${timeoutMs} ms`);
  const unreadable = (/** @type {string} */ why) => invalid("body", "webhook.body", `could not be read (${why})`);
  const deadline = Date.now() + timeoutMs;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<typeof TIMED_OUT>} */
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    /** @type {unknown} */
    let stream;
    try {
      stream = request.body;
    } catch {
      throw unreadable("request.body threw");
    }
    if (stream === null || stream === undefined) {
      /** @type {unknown} */
      let result;
      try {
        result = await Promise.race([request.text(), expired]);
      } catch {
        throw unreadable("request.text() failed");
      }
      if (result === TIMED_OUT) throw timedOut();
      if (typeof result !== "string") throw unreadable("request.text() gave no string");
      if (longerThan(result, maxBytes)) throw tooLarge();
      return new TextEncoder().encode(result);
    }
    /** @type {ReadableStreamDefaultReader<unknown>} */
    let reader;
    try {
      reader = /** @type {ReadableStream<unknown>} */ (stream).getReader();
    } catch {
      throw unreadable("it was already read");
    }
    /** @type {Uint8Array[]} */
    const chunks = [];
    let size = 0;
    // Bounded: each turn adds bytes (at most maxBytes in all) or ends at the deadline, which is
    // also checked here because a stream answering every read at once would starve the timer.
    for (;;) {
      /** @type {boolean} */
      let done;
      /** @type {unknown} */
      let value;
      try {
        const step = await Promise.race([reader.read(), expired]);
        if (step === TIMED_OUT || Date.now() > deadline) {
          cancel(reader, timedOut());
          throw TIMED_OUT;
        }
        ({ done, value } = step);
      } catch (err) {
        if (err === TIMED_OUT) throw timedOut();
        cancel(reader, err);
        throw unreadable("the stream failed");
      }
      if (done) break;
      if (!ArrayBuffer.isView(value)) {
        cancel(reader, new TypeError("not bytes"));
        throw unreadable("the stream gave something other than bytes");
      }
      size += value.byteLength;
      if (size > maxBytes) {
        cancel(reader, tooLarge());
        throw tooLarge();
      }
      chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    // The bytes go to Rust as they came: invalid UTF-8 is a 400 naming the string that holds
    // it (webhook.utf8), never a U+FFFD handed to onEvent.
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}

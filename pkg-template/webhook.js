// Kakao Talk Channel's add/block webhook: parseChannelWebhook, createChannelWebhookHandler and
// two `seen` stores (kvSeenStore, redisSeenStore).
//
// This file reads the caller's values — the options, the Request's method, headers and body —
// each read inside try, so a throwing getter or Proxy becomes an error, never a hang or an
// uncaught exception. The body is streamed with a byte cap and a deadline. Every rule (the
// options, the method, the sender, the body) is Rust's: __checkWebhookOptions and
// __parseWebhook get plain values and throw ValidationError / WebhookAuthError.
import { __checkWebhookOptions, __parseWebhook } from "./kakao_talk_channel.js";
import { ValidationError, WebhookAuthError, __fail } from "./errors.js";
import { pack, parseResult } from "./marshal.js";

/** A wasm export's result (JSON text, or undefined), its thrown record as the error class. */
function wasm(f, ...args) {
  let out;
  try {
    out = f(...args);
  } catch (thrown) {
    throw __fail(thrown);
  }
  return out === undefined ? undefined : parseResult(out);
}

const PARSE_OPTIONS = ["adminKey", "bodyTimeoutMs"];
const HANDLER_OPTIONS = ["adminKey", "bodyTimeoutMs", "onEvent", "onError", "seen", "seenTtlMs"];
const SEEN_METHODS = ["claim", "release", "has", "add"];
const DEFAULT_WINDOW = 10000;
const DEFAULT_PREFIX = "kakao-webhook:";
const TIMED_OUT = Symbol("timed out");

/**
 * A plain copy of the caller's `options`: its own enumerable keys and the known `names`, each
 * read once; `seen` becomes a plain `{ claim, release, has, add }` of the functions found (and
 * `store` keeps the object they are called on). `unreadable` names the first read that threw.
 */
function copyOptions(options, names) {
  if (options === null || (typeof options !== "object" && typeof options !== "function")) {
    return { copy: options };
  }
  let field = "options";
  try {
    if (typeof options === "function") return { copy: () => {} };
    if (Array.isArray(options)) return { copy: [] };
    const copy = Object.create(null);
    for (const key of Object.keys(options)) {
      field = key;
      copy[key] = options[key];
    }
    for (const name of names) {
      if (!Object.hasOwn(copy, name)) {
        field = name;
        const value = options[name];
        if (value !== undefined) copy[name] = value;
      }
    }
    let store;
    if (names.includes("seen") && copy.seen !== undefined) {
      const target = copy.seen;
      const methods = Object.create(null);
      if (target !== null) {
        for (const m of SEEN_METHODS) {
          field = `seen.${m}`;
          const f = target[m];
          if (typeof f === "function") methods[m] = f;
        }
      }
      copy.seen = methods;
      store = { target, methods };
    }
    return { copy, store };
  } catch {
    return { copy: undefined, unreadable: field };
  }
}

function checkOptions(options, handler) {
  const { copy, unreadable, store } = copyOptions(options, handler ? HANDLER_OPTIONS : PARSE_OPTIONS);
  const text = unreadable === undefined ? pack([copy]).text : "1\0u";
  return { checked: wasm(__checkWebhookOptions, text, unreadable, handler), copy, store };
}

function invalid(field, rule, message) {
  return new ValidationError(`${field}: ${message}`, { field, rule });
}

/** Method, `Authorization` and `X-Kakao-Resource-ID`, as plain strings (or undefined). */
function readHead(request) {
  const notARequest = invalid("request", "params.type", "must be a Request (its method and headers could not be read)");
  if (request === null || typeof request !== "object") throw notARequest;
  try {
    const method = request.method;
    const headers = request.headers;
    const authorization = headers.get("authorization");
    const resourceId = headers.get("x-kakao-resource-id");
    const text = (v) => (typeof v === "string" ? v : undefined);
    return { method: text(method) ?? "", authorization: text(authorization), resourceId: text(resourceId) };
  } catch {
    throw notARequest;
  }
}

function cancel(reader, reason) {
  try {
    Promise.resolve(reader.cancel(reason)).catch(() => {});
  } catch {
    // A reader without a working cancel(): nothing more to do.
  }
}

/** Whether `s` is longer than `max` bytes in UTF-8 (each UTF-16 unit is 1 to 3 bytes). */
function longerThan(s, max) {
  if (s.length > max) return true;
  return s.length * 3 > max && new TextEncoder().encode(s).length > max;
}

/**
 * The body as text: at most `maxBytes` bytes (else `webhook.body_too_large`), read within
 * `timeoutMs` (else `webhook.body_timeout`); the stream is cancelled in both cases. Read from
 * `request.body` when it is a stream, else from `request.text()`.
 */
async function readBody(request, maxBytes, timeoutMs) {
  const tooLarge = () => invalid("body", "webhook.body_too_large", `is larger than ${maxBytes} bytes`);
  const timedOut = () => invalid("body", "webhook.body_timeout", `was not received within ${timeoutMs} ms`);
  const unreadable = (why) => invalid("body", "webhook.body", `could not be read (${why})`);
  const deadline = Date.now() + timeoutMs;
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    let stream;
    try {
      stream = request.body;
    } catch {
      throw unreadable("request.body threw");
    }
    if (stream === null || stream === undefined) {
      let result;
      try {
        result = await Promise.race([request.text(), expired]);
      } catch {
        throw unreadable("request.text() failed");
      }
      if (result === TIMED_OUT) throw timedOut();
      if (typeof result !== "string") throw unreadable("request.text() gave no string");
      if (longerThan(result, maxBytes)) throw tooLarge();
      return result;
    }
    let reader;
    try {
      reader = stream.getReader();
    } catch {
      throw unreadable("it was already read");
    }
    const chunks = [];
    let size = 0;
    // Bounded: each turn adds bytes (at most maxBytes in all) or ends at the deadline, which is
    // also checked here because a stream answering every read at once would starve the timer.
    for (;;) {
      let done;
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
    return new TextDecoder().decode(bytes);
  } finally {
    clearTimeout(timer);
  }
}

/** `checked`: Rust's `{ adminKey, bodyTimeoutMs, maxBodyBytes }`. */
async function parseRequest(request, checked) {
  const { method, authorization, resourceId } = readHead(request);
  // Method and sender first: a 401 never reads the body.
  wasm(__parseWebhook, method, authorization, resourceId, undefined, checked.adminKey);
  const body = await readBody(request, checked.maxBodyBytes, checked.bodyTimeoutMs);
  return wasm(__parseWebhook, method, authorization, resourceId, body, checked.adminKey);
}

/**
 * Verifies and parses one Kakao Talk Channel webhook delivery. Rejects with ValidationError
 * (`webhook.method`, a body field, `webhook.body_too_large`, `webhook.body_timeout`) or
 * WebhookAuthError (checked before the body is read).
 */
export async function parseChannelWebhook(request, options) {
  const { checked } = checkOptions(options, false);
  return parseRequest(request, checked);
}

/** The default `seen` store: the last `limit` resource ids, in memory (claim is atomic here). */
function recentIds(limit) {
  const ids = new Set();
  return {
    claim(id) {
      if (ids.has(id)) return false;
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value);
      return true;
    },
    release(id) {
      ids.delete(id);
    },
  };
}

function reply(status, body) {
  return body === undefined
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * Returns `(request: Request) => Promise<Response>` for Kakao's channel add/block webhook; see
 * webhook.d.ts for every status. It never rejects: whatever throws (onEvent, the store,
 * onError itself) ends in a 500 or, once the event was handled, a 200.
 */
export function createChannelWebhookHandler(options) {
  const { checked, copy, store } = checkOptions(options, true);
  const onEvent = copy.onEvent;
  const onError = copy.onError ?? ((err, _event, stage) => console.error(`kakao-talk-channel webhook: ${stage} failed:`, err));
  const ttlMs = checked.seenTtlMs;
  let seen;
  if (store === undefined) seen = recentIds(DEFAULT_WINDOW);
  else {
    const { target, methods } = store;
    seen = methods.claim
      ? { claim: (id, ttl) => methods.claim.call(target, id, ttl), release: (id) => methods.release.call(target, id) }
      : { has: (id) => methods.has.call(target, id), add: (id) => methods.add.call(target, id) };
  }
  const inFlight = new Set();

  async function report(err, event, stage) {
    try {
      await onError(err, event, stage);
    } catch (failure) {
      try {
        console.error("kakao-talk-channel webhook: onError threw:", failure, "while reporting:", err);
      } catch {
        // Nowhere left to report to.
      }
    }
  }

  const ok = () => reply(200);
  const failed = () => reply(500, { error: "the delivery could not be handled" });

  async function handle(event) {
    try {
      await onEvent(event);
    } catch (err) {
      await report(err, event, "onEvent");
      return false;
    }
    return true;
  }

  async function handleOnce(id, event) {
    if (seen.claim) {
      let owned;
      try {
        owned = await seen.claim(id, ttlMs);
      } catch (err) {
        await report(err, event, "seen.claim");
        return failed();
      }
      if (!owned) return ok(); // a redelivery, or another instance has it
      if (await handle(event)) return ok();
      // Give the delivery back, so Kakao's redelivery is handled again.
      try {
        await seen.release(id);
      } catch (err) {
        await report(err, event, "seen.release");
      }
      return failed();
    }
    let handled;
    try {
      handled = await seen.has(id);
    } catch (err) {
      await report(err, event, "seen.has");
      return failed();
    }
    if (handled) return ok();
    if (!(await handle(event))) return failed();
    try {
      await seen.add(id);
    } catch (err) {
      // The event was handled: answering 500 would have Kakao redeliver it and have it
      // handled twice. Report the store's failure instead.
      await report(err, event, "seen.add");
    }
    return ok();
  }

  return async function handleChannelWebhook(request) {
    let event;
    try {
      event = await parseRequest(request, checked);
    } catch (err) {
      if (err instanceof WebhookAuthError) return reply(401, { error: "unauthorized", reason: err.reason });
      if (err instanceof ValidationError) {
        const detail = { field: err.field, rule: err.rule };
        if (err.rule === "webhook.method") return new Response(null, { status: 405, headers: { allow: "POST" } });
        if (err.rule === "webhook.body_too_large") return reply(413, { error: "webhook body too large", ...detail });
        if (err.rule === "webhook.body_timeout") return reply(408, { error: "webhook body not received in time", ...detail });
        return reply(400, { error: "invalid webhook body", ...detail });
      }
      await report(err, undefined, "parse");
      return failed();
    }
    const id = event.resourceId;
    if (id === null) return (await handle(event)) ? ok() : failed();
    if (inFlight.has(id)) return reply(409, { error: "this delivery is being handled" });
    inFlight.add(id);
    try {
      return await handleOnce(id, event);
    } finally {
      inFlight.delete(id);
    }
  };
}

function prefixOf(options) {
  const prefix = options?.prefix;
  return typeof prefix === "string" ? prefix : DEFAULT_PREFIX;
}

/**
 * A `seen` store on a Workers-KV-like namespace (`get(key)` → string or null, `put(key, value,
 * { expirationTtl })`, `delete(key)`). KV is eventually consistent: a key written in one
 * location can take about 60 s to be seen in another, so a redelivery reaching another location
 * within that time can be handled twice. Keys: `<prefix><resource id>`, kept for the handler's
 * `seenTtlMs` (at least 60 s, KV's minimum).
 */
export function kvSeenStore(kv, options) {
  const prefix = prefixOf(options);
  return {
    async claim(id, ttlMs) {
      const key = prefix + id;
      const found = await kv.get(key);
      if (found !== null && found !== undefined) return false;
      await kv.put(key, "1", { expirationTtl: Math.max(60, Math.ceil(ttlMs / 1000)) });
      return true;
    },
    async release(id) {
      await kv.delete(prefix + id);
    },
  };
}

/**
 * A `seen` store on a Redis client: `SET key 1 PX ttl NX` claims a delivery atomically (exactly
 * one instance gets "OK"), `DEL key` releases it. Takes ioredis' call shape (`set(key, value,
 * "PX", ttl, "NX")`) or node-redis' (`set(key, value, { PX, NX: true })`, detected by its
 * `isOpen` property; `{ client: "node-redis" | "ioredis" }` to choose).
 */
export function redisSeenStore(redis, options) {
  const prefix = prefixOf(options);
  const client = options?.client;
  return {
    async claim(id, ttlMs) {
      const key = prefix + id;
      const nodeRedis = client === "node-redis" || (client !== "ioredis" && "isOpen" in redis);
      const answer = nodeRedis ? await redis.set(key, "1", { PX: ttlMs, NX: true }) : await redis.set(key, "1", "PX", ttlMs, "NX");
      return answer === "OK";
    },
    async release(id) {
      await redis.del(prefix + id);
    },
  };
}

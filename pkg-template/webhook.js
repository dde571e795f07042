// Kakao Talk Channel's add/block webhook: constructChannelWebhookEvent (body and headers given),
// parseChannelWebhook (a fetch Request, built on it) and createChannelWebhookHandler (the claim
// stores are in webhook-stores.js).
//
// This file reads the caller's values — the options, the Request's method, headers and body —
// each read inside try, so a throwing getter or Proxy becomes an error, never a hang or an
// uncaught exception. The body is streamed with a byte cap and a deadline. Every rule (the
// options, the method, the sender, the body) is Rust's: __checkWebhookOptions and
// __parseWebhook get plain values and throw ValidationError / WebhookAuthError.
import { readEnv } from "./env.js";
import { __checkWebhookOptions, __parseWebhook } from "./kakao_talk_channel.js";
import { ValidationError, WebhookAuthError, __fail } from "./errors.js";
import { parseResult } from "./marshal.js";
import { pack } from "./pack.js";
import { TIMED_OUT, WIRING, bodyBytes, readBody, readHead, readHeaders } from "./webhook-read.js";
import { memorySeenStore } from "./webhook-stores.js";

export { d1SeenStore, kvSeenStore, redisSeenStore } from "./webhook-stores.js";
/** @import * as Api from "./webhook.js" */

// Drift check. The public types are webhook.d.ts, written by hand (unions open to future
// strings, readonly inputs, docs); this file is checked against them by tsc --checkJs under
// strict (tsconfig.checkjs.json, npm test), where `./webhook.js` names webhook.d.ts: each
// exported function is typed as declared (its parameters are the declared ones and what it
// returns must fit the declared result), and the exports are exactly the declared values (the
// stores' own types are checked in webhook-stores.js). A drift either way is a compile error.
// Comments only: nothing here runs.
/**
 * @template {never} T
 * @typedef {T} None
 */
/**
 * @typedef {[
 *   None<Exclude<keyof typeof import("./webhook.js"), keyof Exports>>,
 *   None<Exclude<keyof Exports, keyof typeof import("./webhook.js")>>,
 * ]} DriftCheck
 * @typedef {{
 *   constructChannelWebhookEvent: typeof constructChannelWebhookEvent;
 *   parseChannelWebhook: typeof parseChannelWebhook;
 *   createChannelWebhookHandler: typeof createChannelWebhookHandler;
 *   d1SeenStore: typeof import("./webhook-stores.js").d1SeenStore;
 *   kvSeenStore: typeof import("./webhook-stores.js").kvSeenStore;
 *   redisSeenStore: typeof import("./webhook-stores.js").redisSeenStore;
 * }} Exports
 */
/**
 * Rust's checked options (__checkWebhookOptions): the defaults filled in; the handler's four
 * durations only for kind "handler".
 * @typedef {{ adminKey: string; bodyTimeoutMs: number; maxBodyBytes: number }} Checked
 * @typedef {Checked & { seenTtlMs: number; answerWithinMs: number; leaseMs: number; callTimeoutMs: number }} HandlerChecked
 * @typedef {{ method: string; authorization: string | undefined; resourceId: string | undefined }} Head
 * @typedef {(this: unknown, ...args: unknown[]) => unknown} AnyMethod
 */
/**
 * What `bounded` answers: `timedOut` (with the call's own promise), or `value` or `error`.
 * @template T
 * @typedef {{ timedOut: true; late: Promise<T>; value?: undefined }
 *   | { timedOut?: undefined; value: T }
 *   | { timedOut?: undefined; error: unknown; late?: Promise<T>; value?: undefined }} Bounded
 */

/**
 * A wasm export's result (JSON text, or undefined), its thrown record as the error class.
 * @template {unknown[]} A
 * @param {(...args: A) => string | undefined} f
 * @param {A} args
 * @returns {any} the result's JSON, parsed
 */
function wasm(f, ...args) {
  let out;
  try {
    out = f(...args);
  } catch (thrown) {
    throw __fail(thrown);
  }
  return out === undefined ? undefined : parseResult(out);
}

/** The options each entry reads, by the kind Rust's __checkWebhookOptions checks them as. */
const OPTIONS = {
  event: ["adminKey"],
  parse: ["adminKey", "bodyTimeoutMs"],
  handler: ["adminKey", "answerWithinMs", "bodyTimeoutMs", "callTimeoutMs", "leaseMs", "onEvent", "onError", "seen", "seenTtlMs"],
};
const SEEN_METHODS = ["claim", "finish", "release", "has", "add"];
const DEFAULT_WINDOW = 10000;

/**
 * A plain copy of the caller's `options`: its own enumerable keys and the known `names`, each
 * read once; `seen` becomes a plain `{ claim, finish, release, has, add }` of the functions found (and
 * `store` keeps the object they are called on). `unreadable` names the first read that threw.
 * @param {unknown} options
 * @param {readonly string[]} names
 * @returns {{ copy: any; unreadable?: string; store?: { target: unknown; methods: Record<string, AnyMethod> } }}
 */
function copyOptions(options, names) {
  if (options === null || (typeof options !== "object" && typeof options !== "function")) {
    return { copy: options };
  }
  let field = "options";
  try {
    if (typeof options === "function") return { copy: () => {} };
    if (Array.isArray(options)) return { copy: [] };
    /** @type {Record<string, any>} */
    const copy = Object.create(null);
    const source = /** @type {Record<string, unknown>} */ (options);
    for (const key of Object.keys(options)) {
      field = key;
      copy[key] = source[key];
    }
    for (const name of names) {
      if (!Object.hasOwn(copy, name)) {
        field = name;
        const value = source[name];
        if (value !== undefined) copy[name] = value;
      }
    }
    let store;
    if (names.includes("seen") && copy.seen !== undefined) {
      const target = copy.seen;
      /** @type {Record<string, AnyMethod>} */
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

/**
 * `kind`: "event", "parse" or "handler". `adminKey`, when absent or undefined, is read from
 * KAKAO_ADMIN_KEY where the runtime has an environment (Rust ignores it in a browser).
 * @param {unknown} options
 * @param {keyof typeof OPTIONS} kind
 */
function checkOptions(options, kind) {
  const { copy, unreadable, store } = copyOptions(options, OPTIONS[kind]);
  const text = unreadable === undefined ? pack([copy]).text : "1\0u";
  /** @type {Checked} */
  const checked = wasm(__checkWebhookOptions, text, unreadable, kind, readEnv("KAKAO_ADMIN_KEY"));
  return { checked, copy, store };
}

/**
 * The method and the sender, before any byte of the body is read.
 * @param {Head} head
 * @param {Checked} checked
 */
function verifySender(head, checked) {
  wasm(__parseWebhook, head.method, head.authorization, head.resourceId, undefined, checked.adminKey);
}

/**
 * The one path to an event, for every entry: the sender, then the body's cap and rules.
 * @param {Head} head
 * @param {unknown} body
 * @param {Checked} checked
 * @returns {Api.ChannelWebhookEvent} Rust's event (`updatedAt` a Date, revived by parseResult)
 */
function eventFrom(head, body, checked) {
  verifySender(head, checked);
  const bytes = bodyBytes(body, checked.maxBodyBytes);
  return wasm(__parseWebhook, head.method, head.authorization, head.resourceId, bytes, checked.adminKey);
}

/**
 * Verifies and parses one delivery from its raw body (string or bytes) and its headers, for any
 * framework: the same event and the same errors as parseChannelWebhook, synchronously.
 * @type {typeof Api.constructChannelWebhookEvent}
 */
export function constructChannelWebhookEvent(body, headers, options) {
  const { checked } = checkOptions(options, "event");
  return eventFrom(readHeaders(headers), body, checked);
}

/**
 * `checked`: Rust's `{ adminKey, bodyTimeoutMs, maxBodyBytes }`.
 * @param {unknown} request
 * @param {Checked} checked
 */
async function parseRequest(request, checked) {
  const head = readHead(request);
  // Method and sender first: a 401 never reads the body.
  verifySender(head, checked);
  const body = await readBody(request, checked.maxBodyBytes, checked.bodyTimeoutMs);
  return eventFrom(head, body, checked);
}

/**
 * Verifies and parses one Kakao Talk Channel webhook delivery. Rejects with ValidationError
 * (`webhook.method`, a body field, `webhook.body_too_large`, `webhook.body_timeout`) or
 * WebhookAuthError (checked before the body is read).
 * @type {typeof Api.parseChannelWebhook}
 */
export async function parseChannelWebhook(request, options) {
  const { checked } = checkOptions(options, "parse");
  return parseRequest(request, checked);
}

/**
 * @param {number} status
 * @param {object} [body] sent as JSON
 */
function reply(status, body) {
  return body === undefined
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}


/**
 * Calls `f()` and waits at most `ms` for it: `{ value }`, `{ error }` or `{ timedOut: true }`,
 * never a rejection. `late` is the call's own promise, for what to do if it settles later.
 * @template T
 * @param {() => T | PromiseLike<T>} f
 * @param {number} ms
 * @returns {Promise<Bounded<T>>}
 */
async function bounded(f, ms) {
  /** @type {Promise<T>} */
  let late;
  try {
    late = Promise.resolve(f());
  } catch (error) {
    return { error };
  }
  late.catch(() => {}); // settled later, handled (or not needed) by the caller
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<typeof TIMED_OUT>} */
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    // Node: a pending deadline alone does not keep the process alive (a server's socket does).
    if (typeof timer === "object" && typeof timer?.unref === "function") timer.unref();
  });
  try {
    const out = await Promise.race([late.then((value) => ({ value })), expired]);
    return out === TIMED_OUT ? { timedOut: /** @type {const} */ (true), late } : out;
  } catch (error) {
    return { error, late };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @param {string} what
 * @param {number} ms
 */
function timeoutError(what, ms) {
  const err = new Error(`${what} did not settle within ${ms} ms`);
  err.name = "TimeoutError";
  return err;
}

/** A fresh claim token: random, unique per delivery attempt. */
function newToken() {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Returns `(request: Request) => Promise<Response>` for Kakao's channel add/block webhook; see
 * webhook.d.ts and README for every status. It never rejects and answers within
 * `answerWithinMs` (after the body was read) whatever `onEvent`, `onError` or the store do:
 * each store call and `onError` is bounded by `callTimeoutMs`, `onEvent` by the lease.
 * @type {typeof Api.createChannelWebhookHandler}
 */
export function createChannelWebhookHandler(options) {
  const { checked, copy, store } = checkOptions(options, "handler");
  // Rust checked both: onEvent a function, onError a function or absent.
  /** @type {Api.ChannelWebhookHandlerOptions["onEvent"]} */
  const onEvent = copy.onEvent;
  /** @type {NonNullable<Api.ChannelWebhookHandlerOptions["onError"]>} */
  const onError = copy.onError ?? ((err, _event, stage) => console.error(`kakao-talk-channel webhook: ${stage} failed:`, err));
  const { seenTtlMs: ttlMs, answerWithinMs, leaseMs, callTimeoutMs } = /** @type {HandlerChecked} */ (checked);
  /** @type {Api.WebhookClaimStore | { [M in keyof Api.WebhookClaimStore]: (...args: Parameters<Api.WebhookClaimStore[M]>) => unknown }} */
  let seen;
  if (store === undefined) seen = memorySeenStore(DEFAULT_WINDOW);
  else {
    const { target, methods } = store;
    seen = {
      claim: (id, token, lease) => methods.claim.call(target, id, token, lease),
      finish: (id, token, ttl) => methods.finish.call(target, id, token, ttl),
      release: (id, token) => methods.release.call(target, id, token),
    };
  }

  /**
   * @param {unknown} err
   * @param {Api.ChannelWebhookEvent | undefined} event
   * @param {Api.WebhookErrorStage} stage
   */
  async function report(err, event, stage) {
    const r = await bounded(() => onError(err, event, stage), callTimeoutMs);
    if (!r.timedOut && !("error" in r)) return;
    try {
      console.error("kakao-talk-channel webhook: onError failed:", r.timedOut ? timeoutError("onError", callTimeoutMs) : r.error, "while reporting:", err);
    } catch {
      // Nowhere left to report to.
    }
  }

  const ok = () => reply(200);
  const failed = () => reply(500, { error: "the delivery could not be handled" });
  const busy = () => reply(409, { error: "this delivery is being handled; Kakao will redeliver it" });
  const late = () => reply(503, { error: "the delivery was not handled in time; Kakao will redeliver it" });

  /**
   * Runs onEvent: true (resolved) or false (threw; reported). Past the lease, a TimeoutError is
   * reported (a redelivery may now take the claim over) and onEvent is still awaited, so its
   * outcome is finished or released with this claim's token (which then fails if it was taken).
   */
  /** @param {Api.ChannelWebhookEvent} event */
  async function run(event) {
    const r = await bounded(() => onEvent(event), leaseMs);
    if (r.timedOut) {
      await report(timeoutError("onEvent (its lease has ended: a redelivery may take the claim over)", leaseMs), event, "onEvent");
      try {
        await r.late;
        return true;
      } catch (error) {
        await report(error, event, "onEvent");
        return false;
      }
    }
    if ("error" in r) {
      await report(r.error, event, "onEvent");
      return false;
    }
    return true;
  }

  /**
   * A store call bounded by callTimeoutMs; its failure or timeout reported under `stage`.
   * @param {"seen.claim" | "seen.finish" | "seen.release"} stage
   * @param {() => unknown} f
   * @param {Api.ChannelWebhookEvent} event
   */
  async function storeCall(stage, f, event) {
    const r = await bounded(f, callTimeoutMs);
    if (r.timedOut) await report(timeoutError(stage, callTimeoutMs), event, stage);
    else if ("error" in r) await report(r.error, event, stage);
    return r;
  }

  /** @param {Api.ChannelWebhookEvent} event */
  async function deliver(event) {
    const id = event.resourceId;
    if (id === null) {
      return (await run(event)) ? ok() : failed();
    }
    const token = newToken();
    const claim = await storeCall("seen.claim", () => seen.claim(id, token, leaseMs), event);
    if (claim.timedOut) {
      // If the claim lands after all, give it back so the redelivery is not kept waiting.
      claim.late.then(
        (state) => {
          if (state === "claimed") storeCall("seen.release", () => seen.release(id, token), event);
        },
        () => {},
      );
      return late();
    }
    if ("error" in claim) return failed();
    if (claim.value === "done") return ok();
    if (claim.value === "processing") return busy();
    if (claim.value !== "claimed") {
      await report(new TypeError(`seen.claim must answer "claimed", "processing" or "done"; got ${typeof claim.value}`), event, "seen.claim");
      return failed();
    }
    if (!(await run(event))) {
      await storeCall("seen.release", () => seen.release(id, token), event);
      return failed();
    }
    const finish = await storeCall("seen.finish", () => seen.finish(id, token, ttlMs), event);
    if ("value" in finish && finish.value !== true) {
      await report(new Error("seen.finish: the claim had ended or was taken over before onEvent finished, so the event may be handled again"), event, "seen.finish");
    }
    // onEvent resolved: answering anything but 200 would have the event handled again.
    return ok();
  }

  return async function handleChannelWebhook(request) {
    /** @type {Api.ChannelWebhookEvent} */
    let event;
    try {
      event = await parseRequest(request, checked);
    } catch (err) {
      if (WIRING.has(/** @type {object} */ (err))) { // a primitive: false
        // The server handed over Node's `req`: its wiring to fix, not Kakao's delivery.
        await report(err, undefined, "parse");
        return failed();
      }
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
    // The answer within the budget, whatever the work does; the work goes on after it.
    const answer = await bounded(() => deliver(event), answerWithinMs);
    if (answer.value instanceof Response) return answer.value;
    return late();
  };
}

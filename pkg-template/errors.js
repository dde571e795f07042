// Error classes of kakao-talk-channel. Every exported class extends KakaoTalkChannelError;
// `instanceof` and `name` work. No property ever holds a key or token, and nothing a server
// sends is ever copied onto an error's own properties: Kakao's extra fields sit under
// `details`.
import { WasmFailure, parseDated } from "./marshal.js";
/** @import * as Api from "./errors.js" */

// Drift check. The public types are errors.d.ts, written by hand (its rule ids and error kinds are
// filled in from the Rust tables by build-pkg.mjs); this file is checked against them by tsc
// --checkJs under strict (tsconfig.checkjs.json, npm test), where `./errors.js` names errors.d.ts:
// the exports are exactly the declared values, each class has exactly the declared fields (`name`
// aside: it is set on the prototype below, a string the d.ts narrows to the class name), and the
// functions are typed as declared. A drift either way is a compile error. Comments only.
/**
 * @template {never} T
 * @typedef {T} None
 */
/**
 * `A`'s fields, each required and without `undefined`: a field set only when present
 * (`bodySnippet`) is optional in the d.ts and `T | undefined` in JS.
 * @template A
 * @typedef {{ [K in Exclude<keyof A, "name">]-?: Exclude<A[K], undefined> }} Fields
 */
/**
 * `never` when `A` and `B` have the same fields (then `None<Diff<A, B>>` compiles), else a string
 * naming the difference.
 * @template A, B
 * @typedef {[Fields<A>] extends [Fields<B>] ? ([Fields<B>] extends [Fields<A>] ? Exclude<keyof A, keyof B> : "class fields the d.ts lacks or types differently") : "declared fields the class lacks or types differently"} Diff
 */
/**
 * `never` when the constructors of `A` and `B` take the same parameters (each fits the other's),
 * else a string naming the difference: a constructor the d.ts declares wrongly is a compile error
 * here, and `new` with what the JS does not take is one for the caller.
 * @template {abstract new (...args: any) => any} A
 * @template {abstract new (...args: any) => any} B
 * @typedef {[ConstructorParameters<A>] extends [ConstructorParameters<B>] ? ([ConstructorParameters<B>] extends [ConstructorParameters<A>] ? never : "the d.ts's constructor takes what the class's does not") : "the class's constructor takes what the d.ts's does not"} ParamsDiff
 */
/**
 * @typedef {[
 *   None<Exclude<keyof typeof import("./errors.js"), keyof typeof classes | keyof { fromRecord: typeof fromRecord; __fail: typeof __fail }>>,
 *   None<Diff<KakaoTalkChannelError, Api.KakaoTalkChannelError>>,
 *   None<Diff<ValidationError, Api.ValidationError>>,
 *   None<ParamsDiff<typeof ValidationError, typeof Api.ValidationError>>,
 *   None<ParamsDiff<typeof KakaoApiError, typeof Api.KakaoApiError>>,
 *   None<ParamsDiff<typeof TimeoutError, typeof Api.TimeoutError>>,
 *   None<ParamsDiff<typeof NetworkError, typeof Api.NetworkError>>,
 *   None<ParamsDiff<typeof ResponseError, typeof Api.ResponseError>>,
 *   None<ParamsDiff<typeof BulkOperationError, typeof Api.BulkOperationError>>,
 *   None<ParamsDiff<typeof WebhookAuthError, typeof Api.WebhookAuthError>>,
 *   None<Diff<KakaoApiError & Api.CallContext, Api.KakaoApiError>>,
 *   None<Diff<TimeoutError & Omit<Api.CallContext, "headers">, Api.TimeoutError>>, // no answer: no headers
 *   None<Diff<NetworkError & Omit<Api.CallContext, "headers"> & { cause?: Error }, Api.NetworkError>>, // `cause`: rebuildCause's
 *   None<Diff<ResponseError & Api.CallContext, Api.ResponseError>>,
 *   None<Diff<BulkOperationError & Api.CallContext, Api.BulkOperationError>>,
 *   None<Diff<WebhookAuthError, Api.WebhookAuthError>>,
 * ]} DriftCheck
 */
/** @typedef {Omit<Api.CallContext, "headers"> & { headers?: Record<string, string> | undefined }} ContextProps */

const MAX_JSON_DEPTH = 4;

/**
 * An error as plain data for `JSON.stringify`: `name`, `message`, its own enumerable
 * properties, and its `cause` the same way (an `Error`'s own fields are not enumerable, so
 * JSON would drop them). Not the stack.
 * @param {unknown} e
 * @param {number} depth
 * @returns {unknown}
 */
function errorJson(e, depth) {
  if (e === null || typeof e !== "object" || !(e instanceof Error) || depth > MAX_JSON_DEPTH) return e;
  /** @type {{ name: string; message: string; cause?: unknown; [field: string]: unknown }} */
  const out = { name: e.name, message: e.message };
  for (const k of Object.keys(e)) {
    const v = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (e))[k];
    if (k === "failed" && Array.isArray(v)) out[k] = v.map((f) => ({ ...f, error: errorJson(f?.error, depth + 1) }));
    else out[k] = errorJson(v, depth + 1);
  }
  if (e.cause !== undefined) out.cause = errorJson(e.cause, depth + 1);
  return out;
}

export class KakaoTalkChannelError extends Error {
  /**
   * `JSON.stringify(error)`: `{ name, message, ...fields, cause }` (no stack).
   * @returns {ReturnType<Api.KakaoTalkChannelError["toJSON"]>}
   */
  toJSON() {
    return /** @type {ReturnType<Api.KakaoTalkChannelError["toJSON"]>} */ (errorJson(this, 0));
  }
}

/** Thrown before any request: `field` is the path of the value, `rule` a stable id. */
export class ValidationError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {{ field: string; rule: Api.ValidationRule }} props
   */
  constructor(message, props) {
    super(message);
    this.field = props.field;
    this.rule = props.rule;
  }
}

/**
 * Where a call failed: the endpoint, the attempts made, and the answer's headers if any.
 * @param {Error & Partial<Api.CallContext>} error
 * @param {ContextProps} props
 */
function context(error, props) {
  error.endpoint = props.endpoint;
  error.attempts = props.attempts;
  if (props.headers !== undefined) error.headers = props.headers;
}

/** Kakao answered with a non-2xx status. */
export class KakaoApiError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {Omit<Api.KakaoApiError, keyof Error | "toJSON" | keyof Api.CallContext> & ContextProps} props
   */
  constructor(message, props) {
    super(message);
    this.status = props.status;
    this.code = props.code;
    this.msg = props.msg;
    this.kind = props.kind;
    this.retryable = props.retryable;
    this.details = props.details;
    if (props.bodySnippet !== undefined) this.bodySnippet = props.bodySnippet;
    context(this, props);
  }
}

/** An attempt took longer than `timeoutMs` (after all retries). */
export class TimeoutError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {{ timeoutMs: number } & Omit<Api.CallContext, "headers">} props no answer: no headers
   */
  constructor(message, props) {
    super(message);
    this.timeoutMs = props.timeoutMs;
    context(this, props);
  }
}

const BUILTIN_ERRORS = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/**
 * An error rebuilt from marshal.js's redacted snapshot of what `fetch` threw.
 * @param {any} snapshot marshal.js's snapshot: `{ name, message, stack, props, cause }`, read with care
 * @returns {Error | undefined}
 */
function rebuildCause(snapshot) {
  if (snapshot === null || typeof snapshot !== "object") return undefined;
  /** @type {ErrorConstructor} */
  const Ctor = Object.hasOwn(BUILTIN_ERRORS, snapshot.name) ? BUILTIN_ERRORS[/** @type {keyof typeof BUILTIN_ERRORS} */ (snapshot.name)] : Error;
  const cause = rebuildCause(snapshot.cause);
  const e = cause === undefined ? new Ctor(snapshot.message) : new Ctor(snapshot.message, { cause });
  if (e.name !== snapshot.name) Object.defineProperty(e, "name", { value: snapshot.name, writable: true, configurable: true });
  // The original's stack, or none: never a stack of this rebuild posing as the original's.
  e.stack = typeof snapshot.stack === "string" ? snapshot.stack : `${snapshot.name}: ${snapshot.message}`;
  if (snapshot.props !== null && typeof snapshot.props === "object") {
    for (const [k, v] of Object.entries(snapshot.props)) {
      if (!(k in e)) Object.defineProperty(e, k, { value: v, writable: true, configurable: true, enumerable: true });
    }
  }
  return e;
}

/**
 * `fetch` rejected (connection refused or reset, DNS). `cause` is a copy of what it threw
 * (name, message, stack, code and other plain properties, its own `cause` chain), with every
 * key redacted, never the original object.
 */
export class NetworkError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {{ cause?: unknown } & Omit<Api.CallContext, "headers">} [props] no answer: no headers
   */
  constructor(message, props) {
    const cause = rebuildCause(props?.cause);
    super(message, cause === undefined ? undefined : { cause });
    if (props !== undefined) context(this, props);
  }
}

/** A 2xx answer whose body is not what Kakao's documentation promises, or a redirect. */
export class ResponseError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {{ status: number; bodySnippet: string } & ContextProps} props
   */
  constructor(message, props) {
    super(message);
    this.status = props.status;
    this.bodySnippet = props.bodySnippet;
    context(this, props);
  }
}

/** Some batches of a split call failed after others succeeded; nothing is silently skipped. */
export class BulkOperationError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {Pick<Api.BulkOperationError, "partial" | "succeeded" | "failed"> & ContextProps} props
   */
  constructor(message, props) {
    super(message);
    this.partial = props.partial;
    this.succeeded = props.succeeded;
    this.failed = props.failed;
    context(this, props);
  }
}

/**
 * A webhook delivery whose `Authorization` header is missing, not `KakaoAK <key>`, or carries
 * another key. `reason`: "missing" | "scheme" | "mismatch". The header's value is never kept.
 */
export class WebhookAuthError extends KakaoTalkChannelError {
  /**
   * @param {string} message
   * @param {Pick<Api.WebhookAuthError, "reason">} props
   */
  constructor(message, props) {
    super(message);
    this.reason = props.reason;
  }
}

const classes = {
  KakaoTalkChannelError,
  ValidationError,
  KakaoApiError,
  TimeoutError,
  NetworkError,
  ResponseError,
  BulkOperationError,
  WebhookAuthError,
};

for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, "name", {
    value: name,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/**
 * The error described by a record of the wasm (`{ name, message, props }`); `reason` is the
 * abort reason that failed batches marked `{ $abort: true }` carry, or the array of reasons
 * that those marked `{ $abort: i }` index. Not public API.
 * @param {any} record the wasm's record, parsed JSON
 * @param {unknown} reason
 * @returns {unknown}
 */
export function fromRecord(record, reason) {
  if (record !== null && typeof record === "object" && record.$abort === true) return reason;
  if (record !== null && typeof record === "object" && typeof record.$abort === "number") {
    return Array.isArray(reason) ? reason[record.$abort] : reason;
  }
  /** @type {new (message: string, props: any) => KakaoTalkChannelError} */
  const Cls = Object.hasOwn(classes, record.name) ? classes[/** @type {keyof typeof classes} */ (record.name)] : KakaoTalkChannelError;
  const props = record.props ?? {};
  if (Cls === BulkOperationError && Array.isArray(props.failed)) {
    props.failed = props.failed.map((/** @type {{ error: unknown }} */ f) => ({ ...f, error: fromRecord(f.error, reason) }));
  }
  return new Cls(record.message, props);
}

/**
 * The error a failed wasm call rejects (or throws) with, a `WasmFailure` (the record's JSON, the
 * abort's reason), as the class of this file: made in the caller's async context, so its stack holds the caller's frames.
 * Anything else is passed through. Not public API.
 * @type {typeof Api.__fail}
 */
export function __fail(thrown) {
  if (thrown instanceof WasmFailure) {
    return thrown.record === null ? thrown.reason : fromRecord(parseDated(thrown.record), thrown.reason);
  }
  return thrown;
}

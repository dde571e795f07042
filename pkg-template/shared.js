// What the snippets Rust calls into (attempt.js, hooks.js, on-batch.js) share: snapshots of
// what a caller's callback or `fetch` threw, the way an error record becomes an error class, and
// the one place that makes `Date`s of results (`parseDated`); not part of the public API.

// No imports: wasm-bindgen copies this file as a snippet (Rust imports `__snapshot`), next to
// the snippets that import it. client.js hands over how error records become error classes
// (`__setErrorMaker`, through marshal.js).
/** @type {(record: any, reason: unknown) => unknown} */
let maker = (record) => record;

/**
 * Called once by client.js: `fromRecord` of errors.js.
 * @param {(record: any, reason: unknown) => unknown} f
 */
export function __setErrorMaker(f) {
  maker = f;
}

/**
 * The error class of `record` (JSON parsed), `reason` for an abort's.
 * @param {unknown} record
 * @param {unknown} reason
 * @returns {unknown}
 */
export function makeError(record, reason) {
  return maker(record, reason);
}

/**
 * `f()`, or undefined when it throws.
 * @template T
 * @param {() => T} f
 * @returns {T | undefined}
 */
export function quietly(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * @typedef {{ name: string, message: string, thrown?: string, stack?: string,
 *   props?: Record<string, unknown>, cause?: Snapshot }} Snapshot
 */

const MAX_CAUSE_DEPTH = 4;
const MAX_TEXT = 2000;

/**
 * `v` as a string of at most MAX_TEXT characters (undefined when it cannot be one).
 * @param {unknown} v
 * @returns {string | undefined}
 */
export function text(v) {
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
 * @param {any} err what was thrown: anything, read inside `try`
 * @param {number} [depth]
 * @returns {Snapshot}
 */
export function snapshotError(err, depth = 0) {
  if (err === null || (typeof err !== "object" && typeof err !== "function")) {
    return { name: "Error", message: text(err) ?? "", thrown: typeof err };
  }
  /** @type {Snapshot} */
  const out = { name: "Error", message: "" };
  const name = quietly(() => err.name);
  if (typeof name === "string") out.name = text(name) ?? "Error";
  const message = quietly(() => err.message);
  if (message !== undefined) out.message = text(message) ?? "";
  const stack = quietly(() => err.stack);
  if (typeof stack === "string") out.stack = text(stack);
  /** @type {Record<string, unknown>} */
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

/**
 * `snapshotError(err)` as JSON (for Rust, should a promise it awaits ever reject).
 * @param {unknown} err
 * @returns {string}
 */
export function __snapshot(err) {
  return quietly(() => JSON.stringify(snapshotError(err))) ?? "{}";
}

/** Dates travel as epoch milliseconds under these keys; they become `Date`s here, and only here. */
const DATE_KEYS = new Set(["createdAt", "updatedAt"]);

/**
 * JSON text of the wasm (a result, an error record, a batch event) parsed, numbers under
 * DATE_KEYS at any depth made `Date`s: the one place where `Date`s are made. `JSON.parse` then
 * one walk, rather than a reviver (which `JSON.parse` calls for every value, then re-defines
 * each property it returns): measured faster, with the same result.
 * @param {string} json
 * @returns {any}
 */
export function parseDated(json) {
  const value = JSON.parse(json);
  if (value !== null && typeof value === "object") datesIn(value);
  return value;
}

/**
 * Makes `Date`s in `node` (parsed JSON: plain objects and arrays only), in place.
 * @param {any} node
 */
function datesIn(node) {
  if (Array.isArray(node)) {
    for (const v of node) if (v !== null && typeof v === "object") datesIn(v);
    return;
  }
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (v === null) continue;
    if (typeof v === "object") datesIn(v);
    else if (typeof v === "number" && DATE_KEYS.has(key)) node[key] = new Date(v);
  }
}

/**
 * What a failed wasm call rejects with (or a sync wasm function throws), made by Rust
 * (convert.rs) and read by errors.js's `__fail`: the error record's JSON, or null for an abort,
 * and the abort's reason. A class, so that nothing a caller's callback throws is taken for one.
 * Not public API.
 */
export class WasmFailure {
  /**
   * @param {string | undefined} record
   * @param {unknown} reason
   */
  constructor(record, reason) {
    this.record = record ?? null;
    this.reason = reason;
  }
}

/**
 * What a wasm call resolves with, made by Rust (client.rs) and read by revive.js's
 * `withMetadata`: the result's JSON and its `$metadata` JSON, when it has one. Not public API.
 */
export class WasmResult {
  /**
   * @param {string} json
   * @param {string | undefined} meta
   */
  constructor(json, meta) {
    this.json = json;
    this.meta = meta;
  }
}

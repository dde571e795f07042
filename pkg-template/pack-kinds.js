// What a caller's value is, for pack.js: brand checks that work across realms, well-formed
// UTF-16, plain objects and signals, an array's first hole, and the words a refusal uses
// ("a Date", "an instance of Customer"). Not part of the public API. No imports: the wasm tests
// (src/wasm/tests.rs) load it as a wasm-bindgen snippet, next to pack.js which imports it.

// Brand checks that work across realms (node:vm, iframes): built-in methods read internal
// slots, not prototypes.
const mapSize = /** @type {(this: unknown) => number} */ (Object.getOwnPropertyDescriptor(Map.prototype, "size")?.get);
export const mapEntries = Map.prototype.entries;

/**
 * A brand check that does not throw (Node's `util.types.isMap`, handed over by the Node entry),
 * or undefined. The getter's throw for every object that is not a Map cost about 5 µs per call
 * in Node (an exception made and caught).
 * @type {((v: unknown) => boolean) | undefined}
 */
export let isMap;

/**
 * Called by the Node entry (node-core.js): `util.types.isMap`, true exactly for the values
 * whose `Map.prototype.size` getter works (Maps of any realm; not a Proxy of one).
 * @param {(v: unknown) => boolean} f
 */
export function __setIsMap(f) {
  isMap = f;
}

/**
 * A Map's size, or -1 when `v` is not a Map (of any realm).
 * @param {unknown} v
 * @returns {number}
 */
export function mapSizeOf(v) {
  if (isMap !== undefined && !isMap(v)) return -1;
  try {
    return mapSize.call(v);
  } catch {
    return -1;
  }
}

// A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
export const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** `String.prototype.isWellFormed` where the runtime has it (Node 20+), else undefined. */
const nativeWellFormed = /** @type {((this: string) => boolean) | undefined} */ (
  /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (String.prototype)).isWellFormed
);

/**
 * Whether `s` is well-formed UTF-16 (also used by webhook.js).
 * @param {string} s
 * @returns {boolean}
 */
export function wellFormed(s) {
  return typeof nativeWellFormed === "function" ? nativeWellFormed.call(s) : !LONE.test(s);
}

/**
 * `s` fit for a message: at most 60 characters, control characters and lone surrogates escaped.
 * @param {string} s
 * @returns {string}
 */
function printable(s) {
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
  return /[\u0000-\u001f\u007f]/.test(cut) || !wellFormed(cut) ? JSON.stringify(cut).slice(1, -1) : cut;
}

/**
 * What `v` is, for a message ("a Date", "an instance of Customer", ...).
 * @param {any} v a caller's value, read inside `try` by the caller of pack
 * @returns {string}
 */
export function describe(v) {
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "function") return "a function";
  if (v instanceof Date) return "a Date";
  if (v instanceof Set) return "a Set";
  if (mapSizeOf(v) >= 0) return "a Map with a key that is not a string";
  if (v instanceof RegExp) return "a RegExp";
  if (v instanceof Promise) return "a Promise";
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return "binary data";
  if (v instanceof String || v instanceof Number || v instanceof Boolean) return "a boxed primitive";
  const proto = Object.getPrototypeOf(v);
  const name = proto?.constructor?.name;
  if (typeof name === "string" && name !== "" && name !== "Object") {
    if (/Signal/.test(name)) {
      return `an instance of ${printable(name)} without a boolean \`aborted\` and an \`addEventListener\` method`;
    }
    return `an instance of ${printable(name)}`;
  }
  return "an object with a prototype";
}


/**
 * Is `v` an object whose own enumerable keys are all there is to it? A plain object of this
 * realm, one with a `null` prototype, or another realm's plain object (its prototype is that
 * realm's `Object.prototype`: the last of its chain, whose `constructor` is named Object).
 * @param {any} v a caller's value, read inside `try` by the caller of pack
 * @returns {boolean}
 */
export function isPlain(v) {
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return true;
  if (Object.getPrototypeOf(proto) !== null) return false;
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  return typeof ctor === "function" && ctor.prototype === proto && ctor.name === "Object";
}

/**
 * An AbortSignal of any realm or polyfill: a boolean `aborted` and an `addEventListener` method.
 * @param {any} v a caller's value, read inside `try` by the caller of pack
 * @returns {boolean}
 */
export function isSignal(v) {
  if (typeof AbortSignal === "function" && v instanceof AbortSignal) return true;
  return typeof v.aborted === "boolean" && typeof v.addEventListener === "function";
}

/**
 * The index of the first hole of array `v` of length `n`, or -1 when it has none. Walks
 * `Object.keys` (the indexes that exist, in ascending order, then any other keys), never the
 * length: an array with one element at index 4294967294 costs one key.
 * @param {any} v
 * @param {number} n
 * @returns {number}
 */
export function firstHole(v, n) {
  if (n === 0) return -1;
  const keys = Object.keys(v);
  // `n` index keys, the last `n - 1`: all of 0 … n-1 are there.
  if (keys.length >= n && keys[n - 1] === String(n - 1)) return -1;
  const m = Math.min(keys.length, n);
  for (let i = 0; i < m; i++) if (keys[i] !== String(i)) return i;
  return m;
}

/**
 * The token of an object with a key that is not well-formed: the object is refused whole.
 * @param {string} key
 * @returns {string}
 */
export function keyFlaw(key) {
  return `!surrogatekey ${JSON.stringify(key.length > 60 ? key.slice(0, 60) : key)}`;
}

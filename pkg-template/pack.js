// Packing the caller's values for the wasm edge; not part of the public API. Every read of a
// caller's value happens here, inside `try`, before a call enters wasm: Rust only ever sees
// strings this file wrote, so a throwing getter, a Proxy trap or a revoked Proxy can neither unwind
// through wasm frames nor hang a call. Nothing is validated here: the Rust side
// (crates/users/src/packed.rs, then crates/users/src/input.rs) applies every rule.
//
// Format (read by crates/users/src/packed.rs): tokens joined by NUL.
//   u undefined · z null · t true · f false · n<decimal> number (String(n): exact round trip)
//   s<text> string · e<JSON string> a string that contains a NUL · b<decimal> bigint
//   o<count> an object (a plain object's own enumerable string keys, or a Map's entries when
//     every key is a string), then per entry its key (a string token) and its value; at most
//     `maxKeys + 1` entries are read (no object that passes a rule has more)
//   a<count> an array, then its elements
//   c<count> an array of `count` users packed separately, in chunks (packUsers): each chunk the
//     tokens of up to CHUNK users: one string when there is one chunk, else UTF-8 bytes each
//     (written into wasm memory by chunk.js's __chunkInto). In a chunk, `O` stands for a user,
//     or a user's `fields`, with the same keys as the last one of the chunk written as `o`:
//     its values follow, without the `o<count>` and the keys (packFlat)
//   h<kind><index> a handle: hf a function, hs an AbortSignal (or an object with a boolean
//     `aborted` and an `addEventListener` method: a polyfill's), ho any other object that must
//     stay a JS value (the logger); the value is `handles[index]`
//   x<what> a value that is not plain data, by what it is ("a Date", "a Set",
//     "an instance of Customer", "a symbol", "an object nested too deeply", "a cycle", ...)
//   !<kind> <detail> what was found while reading, in place of the value; Rust refuses it:
//     !hole <length> (the first index of a sparse array with no element; the array's tokens
//     stop there) · !changed <before> <after> (an array's length changed while it was read) ·
//     !surrogate <index> <code unit hex> <length> (a string that is not well-formed UTF-16,
//     which the UTF-8 trip to wasm would turn into U+FFFD) · !surrogatekey <JSON of the key>
//     (an object with such a key)
// Work and memory stay proportional to what exists: a sparse array is walked by its own keys,

// One import, pack-kinds.js (what a value is), itself import-free: the wasm tests (src/wasm/tests.rs)
// load both as wasm-bindgen snippets.
// client.js hands over the wasm's key limit (`__setMaxKeys`).

import { describe, firstHole, isMap, isPlain, isSignal, keyFlaw, LONE, mapEntries, mapSizeOf, wellFormed } from "./pack-kinds.js";

export { __setIsMap, wellFormed } from "./pack-kinds.js";

/** The most keys an object can have and pass a rule (the wasm's `__maxKeys`, set by client.js). */
let maxKeys = Number.POSITIVE_INFINITY;

/**
 * Called by client.js with the wasm's `__maxKeys()`: the limit is defined once, in Rust.
 * @param {number} n
 */
export function __setMaxKeys(n) {
  maxKeys = n;
}

const MAX_DEPTH = 32;
/** Users per packed chunk: Kakao's add batch. Wasm memory then holds one chunk at a time. */
export const CHUNK = 2000;


/**
 * Pushes the token of the string `s` onto `out`.
 * @param {string} s
 * @param {string[]} out
 */
function str(s, out) {
  out.push(strToken(s));
}

/**
 * Pushes the tokens of `v` onto `out` (see the format above).
 * @param {any} v a caller's value, read inside `try` by the caller of pack
 * @param {string[]} out
 * @param {unknown[]} handles
 * @param {number} depth
 * @param {Set<unknown>} seen
 */
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
  const start = out.length;
  try {
    if (Array.isArray(v)) {
      // The length once; each element once; a hole ends the array's tokens.
      const n = v.length;
      const hole = firstHole(v, n);
      const end = hole === -1 ? n : hole;
      out.push(`a${hole === -1 ? n : hole + 1}`);
      for (let i = 0; i < end; i++) packValue(v[i], out, handles, depth + 1, seen);
      if (hole !== -1) out.push(`!hole ${n}`);
      else {
        const after = v.length;
        if (after !== n) {
          out.length = start;
          out.push(`!changed ${n} ${after}`);
        }
      }
      return;
    }
    if (typeof AbortSignal === "function" && v instanceof AbortSignal) {
      out.push(`hs${handles.push(v) - 1}`);
      return;
    }
    const size = mapSizeOf(v);
    if (size >= 0) {
      packMap(v, size, out, handles, depth + 1, seen);
      return;
    }
    if (isPlain(v)) {
      const keys = Object.keys(v);
      const n = Math.min(keys.length, maxKeys + 1);
      out.push(`o${n}`);
      for (let i = 0; i < n; i++) {
        const t = strToken(keys[i]);
        if (t.charCodeAt(0) === 33) {
          out.length = start;
          out.push(keyFlaw(keys[i]));
          return;
        }
        out.push(t);
        packValue(v[keys[i]], out, handles, depth + 1, seen);
      }
      return;
    }
    if (isSignal(v)) out.push(`hs${handles.push(v) - 1}`);
    else out.push(`x${describe(v)}`);
  } finally {
    seen.delete(v);
  }
}

/**
 * Packs `values` (the arguments of one call) into `{ text, handles, chunks }`. In a plain
 * object or `Map` argument, the array under `usersKey` (the users of an add call) is packed into
 * `chunks` of CHUNK users instead (a string, or UTF-8 bytes each when there are more), `c<count>` standing in its place, and an
 * object or function under `keepKey` (the logger) is kept as a handle and returned as `kept`.
 * Throws whatever the caller's values throw (a getter, a Proxy trap).
 * @param {unknown[]} values
 * @param {string} [usersKey]
 * @param {string} [keepKey]
 */
export function pack(values, usersKey, keepKey) {
  const out = [String(values.length)];
  const handles = [];
  let chunks;
  let kept;
  const seen = new Set();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (usersKey !== undefined && v !== null && typeof v === "object" && !Array.isArray(v)) {
      const size = mapSizeOf(v);
      if (size >= 0) {
        seen.add(v);
        try {
          const users = packMap(v, size, out, handles, 1, seen, usersKey);
          if (users !== undefined) chunks = users;
        } finally {
          seen.delete(v);
        }
        continue;
      }
    }
    if (v === null || typeof v !== "object" || Array.isArray(v) || mapSizeOf(v) >= 0 || !isPlain(v)) {
      packValue(v, out, handles, 0, seen);
      continue;
    }
    const start = out.length;
    const keys = Object.keys(v);
    const n = Math.min(keys.length, maxKeys + 1);
    out.push(`o${n}`);
    for (let k = 0; k < n; k++) {
      const key = keys[k];
      const t = strToken(key);
      if (t.charCodeAt(0) === 33) {
        out.length = start;
        out.push(keyFlaw(key));
        break;
      }
      out.push(t);
      const x = /** @type {Record<string, unknown>} */ (v)[key];
      if (key === usersKey && Array.isArray(x)) {
        const users = packUsers(x, handles);
        chunks = users.chunks;
        out.push(users.token);
      } else if (key === keepKey && x !== null && (typeof x === "object" || typeof x === "function")) {
        kept = x;
        out.push(`ho${handles.push(x) - 1}`);
      } else packValue(x, out, handles, 1, seen);
    }
  }
  return { text: out.join("\0"), handles, chunks, kept };
}

/**
 * Pushes the tokens of the Map `v` (`size` its size) onto `out`: its entries read once, by this
 * realm's Map methods (a Map of any realm), at most maxKeys + 1; `x<what>` when a key is not a
 * string. Values at `depth`; the array under `usersKey` (when given: a Map of params) is packed
 * apart as in a plain object of params, and its chunks returned.
 * @param {any} v a caller's value, read inside `try` by the caller of pack
 * @param {number} size
 * @param {string[]} out
 * @param {unknown[]} handles
 * @param {number} depth
 * @param {Set<unknown>} seen
 * @param {string} [usersKey]
 * @returns {(string | Uint8Array)[] | undefined}
 */
function packMap(v, size, out, handles, depth, seen, usersKey) {
  const n = Math.min(size, maxKeys + 1);
  const entries = [];
  for (const e of mapEntries.call(v)) {
    if (entries.length >= n) break;
    entries.push(e);
  }
  if (entries.some((e) => typeof e[0] !== "string")) {
    out.push(`x${describe(v)}`);
    return undefined;
  }
  let chunks;
  const start = out.length;
  out.push(`o${entries.length}`);
  for (const [k, x] of entries) {
    const t = strToken(k);
    if (t.charCodeAt(0) === 33) {
      out.length = start;
      out.push(keyFlaw(k));
      return undefined;
    }
    out.push(t);
    if (usersKey !== undefined && k === usersKey && Array.isArray(x)) {
      const users = packUsers(x, handles);
      chunks = users.chunks;
      out.push(users.token);
    } else packValue(x, out, handles, depth, seen);
  }
  return chunks;
}

/** A string's token: `s` + the text, `e` + its JSON when it holds a NUL, a `!surrogate` flaw
 * when it is not well-formed (its first lone surrogate's index, code unit and the length).
 * @param {string} s
 * @returns {string}
 */
function strToken(s) {
  if (!wellFormed(s)) {
    const at = LONE.exec(s)?.index ?? 0;
    return `!surrogate ${at} ${s.charCodeAt(at).toString(16).toUpperCase()} ${s.length}`;
  }
  return s.includes("\0") ? `e${JSON.stringify(s)}` : `s${s}`;
}

/** Field names repeat from user to user: their tokens are made once (up to 256 names). */
const keyTokens = new Map();
/**
 * @param {string} k
 * @returns {string}
 */
function keyToken(k) {
  let t = keyTokens.get(k);
  if (t === undefined) {
    t = strToken(k);
    if (keyTokens.size < 256) keyTokens.set(k, t);
  }
  return t;
}

/**
 * The key tokens of one level of a user (0: the user, 1: its `fields`): `lead[k]` what goes
 * before key k's value (the first key's after the `o<count>` token: `o2\0sid\0`, then
 * `\0sfields\0`), or null for a key that is not well-formed; `text[k]` the same with the `s` of a
 * string value. Users mostly share their keys, so the last list of keys and its tokens are kept
 * and reused while the keys are the same. (Fewer, longer pieces make a chunk's string cheaper to
 * build and to encode.) `same` holds the same pieces for an object with the keys of the last
 * one written in full at its level of the chunk: `O` for `o<count>`, and no key tokens (`\0`
 * before each value after the first). In each, `before` is what went before the object's tokens
 * the last time (a NUL between users; the `fields` key's lead for a user's fields), and
 * `beforeLead`, `beforeText` the first key's `lead` and `text` after it: one piece, made once.
 * @typedef {{ lead: (string | null)[], text: (string | null)[], before: string, beforeLead: string, beforeText: string }} Pieces
 * @typedef {{ keys: string[], lead: (string | null)[], full: Pieces, same: Pieces }} Shape
 */
/**
 * @param {(string | null)[]} lead
 * @returns {Pieces}
 */
function pieces(lead) {
  return { lead, text: lead.map((l) => (l === null ? null : `${l}s`)), before: "", beforeLead: "", beforeText: "" };
}
/** @type {Shape[]} */
const shapes = [
  { keys: [], lead: [], full: pieces([]), same: pieces([]) },
  { keys: [], lead: [], full: pieces([]), same: pieces([]) },
];
/**
 * @param {string[]} keys
 * @param {number} n
 * @param {number} level
 * @returns {Shape}
 */
function shapeOf(keys, n, level) {
  const shape = shapes[level];
  if (shape.lead.length === n) {
    let same = true;
    for (let k = 0; k < n; k++) {
      if (keys[k] !== shape.keys[k]) {
        same = false;
        break;
      }
    }
    if (same) return shape;
  }
  /** @type {(string | null)[]} */
  const lead = [];
  for (let k = 0; k < n; k++) {
    const t = keyToken(keys[k]);
    lead.push(t.charCodeAt(0) === 33 ? null : `${k === 0 ? `o${n}` : ""}\0${t}\0`);
  }
  const made = { keys: keys.slice(0, n), lead, full: pieces(lead), same: pieces(lead.map((_, k) => (k === 0 ? "O\0" : "\0"))) };
  shapes[level] = made;
  return made;
}

/**
 * `acc` followed by `before` and a plain object's own keys and values as tokens (the fast path
 * for the two levels of a user, `level` 0 the user, whose `fields` plain-object value is packed
 * the same way at level 1, after its key's lead). The same tokens packValue would write, the
 * values read in the same order. Appended to the chunk's string piece by piece, with the
 * constant pieces made once per shape: each piece one more node of the rope, which the encode
 * into wasm memory flattens (about 5 pieces for a user with an id and two fields). An object
 * with the keys of the last one written in full at its level of the chunk (`written[level]`)
 * is written as `O` and its values (Rust's reader, crates/users/src/user_reader.rs, keeps the
 * keys of the last `o` user and of the last `o` fields it read): `written` is forgotten
 * wherever Rust may read an `o` this function did not write (a Map, fields packed by
 * packValue), and put back when the tokens of a user are dropped for a key's flaw.
 * @param {any} v a caller's value, read inside `try` by the caller of pack
 * @param {unknown[]} handles
 * @param {Set<unknown>} seen
 * @param {number} level
 * @param {string} acc
 * @param {string} before
 * @param {(Shape | null)[]} written
 * @param {Scratch} scratch
 * @returns {string}
 */
function packFlat(v, handles, seen, level, acc, before, written, scratch) {
  // The keys and their values, read first (at most maxKeys + 1), into this level's scratch
  // arrays (packUsers makes them per call): by `for…in` where Object.prototype had no enumerable
  // key when the call began, which then lists exactly the own enumerable keys, in Object.keys' order, and which
  // V8 compiles to direct loads where Object.keys and keyed reads cost an array and a lookup
  // each (measured: a 2,000-user add −4%). A key a getter deleted before its turn is skipped,
  // as JSON.stringify skips it.
  const keys = scratch.keys[level];
  const values = scratch.values[level];
  let m = 0;
  if (scratch.clean) {
    for (const key in v) {
      if (m > maxKeys) break;
      keys[m] = key;
      values[m] = v[key];
      m++;
    }
  } else {
    const own = Object.keys(v);
    m = Math.min(own.length, maxKeys + 1);
    for (let k = 0; k < m; k++) {
      keys[k] = own[k];
      values[k] = v[own[k]];
    }
  }
  // A Map whose prototype was swapped to Object.prototype has no own keys but its entries:
  // packValue reads them. Where no cheap brand check exists, only an object without own keys
  // pays the Map check's caught throw (a Map with own enumerable keys as well is not looked for).
  if (isMap !== undefined ? isMap(v) : m === 0 && mapSizeOf(v) >= 0) {
    /** @type {string[]} */
    const sub = [];
    packValue(v, sub, handles, level + 1, seen);
    forget(written, level);
    return `${acc}${before}${sub.join("\0")}`;
  }
  const n = m;
  if (n === 0) {
    forget(written, level);
    return `${acc}${before}o0`;
  }
  const shape = shapeOf(keys, n, level);
  const p = written[level] === shape ? shape.same : shape.full;
  const { lead, text } = p;
  if (p.before !== before && lead[0] !== null) {
    p.before = before;
    p.beforeLead = before + lead[0];
    p.beforeText = `${p.beforeLead}s`;
  }
  const start = acc;
  const inner = written[1];
  let out = acc;
  for (let k = 0; k < n; k++) {
    if (shape.lead[k] === null) {
      written[1] = inner;
      return `${start}${before}${keyFlaw(keys[k])}`;
    }
    const kt = k === 0 ? p.beforeLead : lead[k];
    const x = values[k];
    // Well-formedness is checked once per chunk (packUsers): a NUL still needs this check.
    if (typeof x === "string") {
      if (x.includes("\0")) out += kt + strToken(x);
      else {
        out += k === 0 ? p.beforeText : text[k];
        out += x;
      }
    } else if (typeof x === "number") out += `${kt}n${x}`;
    else if (level === 0 && keys[k] === "fields" && x !== null && typeof x === "object" && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype) {
      out = packFlat(x, handles, seen, 1, out, /** @type {string} */ (kt), written, scratch);
    } else {
      /** @type {string[]} */
      const sub = [];
      packValue(x, sub, handles, 2, seen);
      if (level === 0 && keys[k] === "fields") written[1] = null;
      out += kt + sub.join("\0");
    }
  }
  written[level] = shape;
  return out;
}

/**
 * packFlat's scratch arrays for levels 0 and 1 (one set per packUsers call, so that a getter
 * that packs another call cannot overwrite them), and whether `for…in` may read the keys.
 * @typedef {{ clean: boolean, keys: string[][], values: unknown[][] }} Scratch
 */
/**
 * Whether Object.prototype has no enumerable key (then `for…in` on a plain object lists only
 * its own keys).
 * @returns {boolean}
 */
function protoClean() {
  for (const _ in Object.prototype) return false;
  return true;
}

/**
 * Forgets the shapes written at `level` and below (packFlat's `written`): Rust may have read an
 * `o` there that packFlat did not write.
 * @param {(Shape | null)[]} written
 * @param {number} level
 */
function forget(written, level) {
  if (level === 0) written[0] = null;
  written[1] = null;
}

const utf8 = new TextEncoder();

/**
 * A chunk of tokens (packUsers) that is not well-formed, each `s` token whose text is not
 * well-formed replaced by the `!surrogate` token strToken makes of that text. Only packFlat's
 * string values are written unchecked (every other token is strToken's, JSON or ASCII, all
 * well-formed); each is one `s` token, NUL-free (a NUL makes strToken's `e` token), so splitting on
 * NUL finds it whole. A chunk is well-formed exactly when each of its tokens is: every token
 * starts with an ASCII letter and is followed by a NUL or the end, so no surrogate pair forms
 * across two tokens.
 * @param {string} text
 * @returns {string}
 */
function flawedValues(text) {
  const tokens = text.split("\0");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.charCodeAt(0) === 115 && !wellFormed(t)) tokens[i] = strToken(t.slice(1));
  }
  return tokens.join("\0");
}

/**
 * The users, CHUNK to a string of tokens, and the token that stands for them: `c<count>`, or
 * `!changed` when the array's length changed while it was read. The length is read once and
 * each user once; a hole ends the users (its `!hole` token is the last). A plain `{ id, fields }`
 * user takes a fast path that packs exactly what packValue would.
 * @param {any} users
 * @param {unknown[]} handles
 */
function packUsers(users, handles) {
  const chunks = [];
  const seen = new Set();
  /** @type {Scratch} */
  const scratch = { clean: protoClean(), keys: [[], []], values: [[], []] };
  const n = users.length;
  // The first hole, found as the users are read (a missing index reads as undefined): no list
  // of the array's keys made up front (firstHole), and no more read than up to the hole.
  let hole = -1;
  for (let start = 0; start < n && hole === -1; start += CHUNK) {
    const end = Math.min(start + CHUNK, n);
    // One string, appended to (cheaper than an array joined): its tokens, a NUL before each
    // user (the first one's dropped at the end).
    let text = "";
    /** @type {(Shape | null)[]} */
    const written = [null, null];
    for (let i = start; i < end; i++) {
      const u = users[i];
      if (u === undefined && !(i in users)) {
        hole = i;
        text += `\0!hole ${n}`;
        break;
      }
      if (u !== null && typeof u === "object" && Object.getPrototypeOf(u) === Object.prototype) text = packFlat(u, handles, seen, 0, text, "\0", written, scratch);
      else {
        /** @type {string[]} */
        const sub = [];
        packValue(u, sub, handles, 1, seen);
        forget(written, 0);
        text += `\0${sub.join("\0")}`;
      }
    }
    text = text.slice(1);
    // Well-formed (a string with a lone surrogate is a `!surrogate` token instead), and flat:
    // the check flattens the rope `+=` built, once. A call's only chunk stays a string, which
    // wasm has encoded straight into its memory (chunk.js's __chunkInto): no Uint8Array made and copied.
    // Of a larger call (more than CHUNK users up to the first hole), each chunk is encoded now, as bytes: 100 strings of 120 KB kept alive
    // in V8's heap until their batch's turn cost more in GC than the encode saves (measured:
    // a 200,000-user add 234 ms with bytes, 404 ms with strings).
    const whole = wellFormed(text) ? text : flawedValues(text);
    chunks.push(n > CHUNK && (hole === -1 || hole >= CHUNK) ? utf8.encode(whole) : whole);
  }
  const count = hole === -1 ? n : hole + 1;
  // An array that shrank while read has a missing index where it ended: changed, not a hole.
  const after = users.length;
  if (after !== n) return { chunks: undefined, token: `!changed ${n} ${after}` };
  return { chunks, token: `c${count}` };
}

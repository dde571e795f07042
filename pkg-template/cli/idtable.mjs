// Part of `kakao-talk-channel sync` (cli.mjs): the id → fingerprint table of the known state and of
// the CSV's rows, compact enough for a million users.

const EMPTY = -1;
/** Fingerprint bytes per entry: a fingerprint is 16 base64url characters (state.mjs FP_LENGTH). */
const WIDTH = 16;
/** `lens` value of an entry whose fingerprint is kept in `other` (longer than WIDTH, or not Latin-1). */
const OTHER = 255;
/** `lens` value of a deleted entry. */
const DEAD = 254;

/** An id of at most 15 digits without a leading zero, as its number (exact, and `String(n)` gives it back); else NaN. @param {string} id */
function numberOf(id) {
  const n = id.length;
  if (n === 0 || n > 15) return Number.NaN;
  const first = id.charCodeAt(0);
  if (first < 49 || first > 57) return Number.NaN;
  let value = first - 48;
  for (let i = 1; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48); // exact: below 2 ** 53
  }
  return value;
}

/**
 * Writes the digits of `n` (a whole number from 1 to 15 digits, as numberOf makes them) into
 * `buf` at `pos`; returns the position after them. In two int32 halves: no division of doubles.
 * @param {Uint8Array} buf
 * @param {number} pos
 * @param {number} n
 */
export function writeDigits(buf, pos, n) {
  let hi = Math.floor(n / 1e8);
  let lo = n - hi * 1e8;
  let digits = 0;
  for (let m = hi > 0 ? hi : lo; m > 0; m = (m / 10) | 0) digits += 1;
  const end = pos + digits + (hi > 0 ? 8 : 0);
  let i = end - 1;
  for (const stop = hi > 0 ? end - 8 : pos; i >= stop; i--) {
    const q = (lo / 10) | 0;
    buf[i] = 48 + lo - q * 10;
    lo = q;
  }
  for (; i >= pos; i--) {
    const q = (hi / 10) | 0;
    buf[i] = 48 + hi - q * 10;
    hi = q;
  }
  return end;
}

/**
 * The hash of an id kept as a number: its group of 16 (n / 16) mixed, times 16, plus its place in
 * the group, so that ids in sequence (an export sorted by id, the usual case) take neighbouring
 * slots, a cache line of the index per 16 ids rather than one each, while the groups spread.
 * @param {number} n
 */
function hashNumber(n) {
  const g = Math.floor(n / 16);
  let h = Math.imul((g >>> 0) ^ Math.imul(Math.floor(g / 4294967296), 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (((h ^ (h >>> 16)) << 4) | (n - g * 16)) >>> 0;
}

/** @param {string} id */
function hashString(id) {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * id → fingerprint, as a `Map` of strings would hold them, in a fraction of its memory (a Map of
 * a million ids and fingerprints costs some 150 MB; this, about 45 MB): an id of up to 15 digits
 * (every app user id in practice) is kept as a number in a Float64Array, any other id as a
 * string; each fingerprint's characters in a byte array (16 per entry, and a length byte: "" and
 * "?" are the markers of users that may or may not be in the file); an open-addressing index of
 * the ids' hashes. Keeps insertion order as a Map does (an id set again after a delete goes
 * last). `set` returns the entry's index, which stays the same until the id is deleted:
 * `idAt(entry)` and `fpAt(entry)` read it back.
 */
export class IdTable {
  /** Entries made (live and deleted). */
  count = 0;
  size = 0;
  /** entry → the id, for those that are not numbers. @type {Map<number, string>} */
  strings = new Map();
  /** entry → fingerprint, for those that do not fit the byte array (never written by this version). @type {Map<number, string>} */
  other = new Map();
  /** Slots taken, by live and deleted entries. */
  used = 0;

  /** `expected`: the entries to make room for at once (more are fine): no growing, no copies. */
  constructor(expected = 1024) {
    const cap = Math.max(1024, Math.ceil(expected));
    /** entry → the id as a number, NaN for an id kept in `strings`. */
    this.numbers = new Float64Array(cap);
    /** A Buffer, so that `fpAt` decodes a fingerprint in one call. */
    this.fps = Buffer.alloc(WIDTH * cap);
    /** entry → its fingerprint's length, OTHER, or DEAD once deleted. */
    this.lens = new Uint8Array(cap);
    this.slots = new Int32Array(2 ** Math.ceil(Math.log2(cap * 2 + 2))).fill(EMPTY);
  }

  /** @param {number} e */
  #hashOf(e) {
    const n = this.numbers[e];
    return Number.isNaN(n) ? hashString(/** @type {string} */ (this.strings.get(e))) : hashNumber(n);
  }

  /**
   * The slot holding the entry of `id` (`n`: numberOf(id)), or the empty slot where it would go.
   * @param {string} id
   * @param {number} n
   * @returns {number}
   */
  #slot(id, n) {
    const mask = this.slots.length - 1;
    const number = !Number.isNaN(n);
    for (let s = (number ? hashNumber(n) : hashString(id)) & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s];
      if (e === EMPTY) return s;
      if (this.lens[e] === DEAD) continue;
      if (number ? this.numbers[e] === n : this.strings.get(e) === id) return s;
    }
  }

  /** Room for one more entry; true when the index was rebuilt (a slot found before is stale). */
  #grow() {
    if (this.lens.length < this.count + 1) {
      const cap = this.lens.length * 2;
      const lens = new Uint8Array(cap);
      lens.set(this.lens);
      this.lens = lens;
      const numbers = new Float64Array(cap);
      numbers.set(this.numbers);
      this.numbers = numbers;
      const fps = Buffer.alloc(cap * WIDTH);
      fps.set(this.fps);
      this.fps = fps;
    }
    if ((this.used + 1) * 2 > this.slots.length) {
      const size = this.size * 4 > this.slots.length ? this.slots.length * 2 : this.slots.length;
      this.slots = new Int32Array(size).fill(EMPTY);
      this.used = 0;
      const mask = size - 1;
      for (let e = 0; e < this.count; e++) {
        if (this.lens[e] === DEAD) continue;
        let s = this.#hashOf(e) & mask;
        while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
        this.slots[s] = e;
        this.used += 1;
      }
      return true;
    }
    return false;
  }

  /** The entry of `id`, or -1. @param {string} id */
  entryOf(id) {
    if (this.size === 0) return EMPTY; // a first sync: nothing known, nothing to look up
    return this.slots[this.#slot(id, numberOf(id))];
  }

  /** @param {string} id */
  has(id) {
    return this.entryOf(id) !== EMPTY;
  }

  /** @param {string} id */
  get(id) {
    const e = this.entryOf(id);
    return e === EMPTY ? undefined : this.fpAt(e);
  }

  /**
   * `get(id) === fp`, without making a string.
   * @param {string} id
   * @param {string} fp
   */
  same(id, fp) {
    const e = this.entryOf(id);
    if (e === EMPTY) return false;
    const len = this.lens[e];
    if (len === OTHER) return this.other.get(e) === fp;
    if (len !== fp.length) return false;
    const at = e * WIDTH;
    for (let i = 0; i < len; i++) if (this.fps[at + i] !== fp.charCodeAt(i)) return false;
    return true;
  }

  /**
   * Sets `id`'s fingerprint; returns its entry.
   * @param {string} id
   * @param {string} fp
   */
  set(id, fp) {
    const e = this.#entry(id, numberOf(id));
    this.#write(e, fp);
    return e;
  }

  /**
   * `set` of an ASCII id and fingerprint read from bytes (a state file's line): the id is
   * `src[from..to)`, the fingerprint `src[fpFrom..fpTo)` (at most 16 bytes), no string made for
   * either unless the id is not a number.
   * @param {Buffer} src
   * @param {number} from
   * @param {number} to
   * @param {number} fpFrom
   * @param {number} fpTo
   */
  setAscii(src, from, to, fpFrom, fpTo) {
    let n = Number.NaN;
    if (to - from <= 15 && src[from] >= 49 && src[from] <= 57) {
      n = 0;
      for (let i = from; i < to; i++) {
        const c = src[i];
        if (c < 48 || c > 57) {
          n = Number.NaN;
          break;
        }
        n = n * 10 + (c - 48);
      }
    }
    const e = this.#entry(Number.isNaN(n) ? src.toString("latin1", from, to) : "", n);
    this.other.delete(e);
    const at = e * WIDTH;
    for (let i = fpFrom; i < fpTo; i++) this.fps[at + i - fpFrom] = src[i];
    this.lens[e] = fpTo - fpFrom;
    return e;
  }

  /**
   * The entry of `id` (`n`: numberOf(id)), made if it has none.
   * @param {string} id
   * @param {number} n
   */
  #entry(id, n) {
    let s = this.#slot(id, n);
    let e = this.slots[s];
    if (e === EMPTY) {
      if (this.#grow()) s = this.#slot(id, n);
      e = this.count;
      this.count += 1;
      this.numbers[e] = n;
      if (Number.isNaN(n)) this.strings.set(e, id);
      this.slots[s] = e;
      this.used += 1;
      this.size += 1;
    }
    return e;
  }

  /**
   * @param {number} e
   * @param {string} fp
   */
  #write(e, fp) {
    if (this.other.size > 0) this.other.delete(e);
    const len = fp.length;
    if (len <= WIDTH) {
      const at = e * WIDTH;
      let i = 0;
      for (; i < len; i++) {
        const c = fp.charCodeAt(i);
        if (c > 255) break;
        this.fps[at + i] = c;
      }
      if (i === len) {
        this.lens[e] = len;
        return;
      }
    }
    this.lens[e] = OTHER;
    this.other.set(e, fp);
  }

  /** @param {string} id */
  delete(id) {
    const e = this.entryOf(id);
    if (e === EMPTY) return false;
    // The slot keeps pointing at the dead entry (probes pass it); a rebuild drops it.
    this.lens[e] = DEAD;
    this.other.delete(e);
    this.size -= 1;
    return true;
  }

  /**
   * The id of entry `e` (one `set` or `setAscii` returned).
   * @param {number} e
   * @returns {string}
   */
  idAt(e) {
    const n = this.numbers[e];
    return Number.isNaN(n) ? /** @type {string} */ (this.strings.get(e)) : String(n);
  }

  /**
   * Whether `text` is exactly the id of entry `e` (made by `set` or `setAscii`): no string made.
   * @param {number} e
   * @param {string} text
   */
  isIdAt(e, text) {
    const n = this.numbers[e];
    return Number.isNaN(n) ? this.strings.get(e) === text : numberOf(text) === n;
  }

  /**
   * The fingerprint of entry `e` (one `set` or `setAscii` returned).
   * @param {number} e
   * @returns {string}
   */
  fpAt(e) {
    const len = this.lens[e];
    if (len === OTHER) return /** @type {string} */ (this.other.get(e));
    const at = e * WIDTH;
    return this.fps.toString("latin1", at, at + len);
  }

  /**
   * The ids of the entries that `other` does not hold, in insertion order.
   * @param {IdTable} other
   */
  missingFrom(other) {
    /** @type {string[]} */
    const ids = [];
    for (let e = 0; e < this.count; e++) {
      if (this.lens[e] === DEAD) continue;
      const n = this.numbers[e];
      if (Number.isNaN(n)) {
        const id = /** @type {string} */ (this.strings.get(e));
        if (!other.has(id)) ids.push(id);
      } else if (other.slots[other.#slot("", n)] === EMPTY) {
        ids.push(String(n));
      }
    }
    return ids;
  }

  /**
   * `write(bytes)` with the line `<id>\t<fingerprint>\n` of each entry (a state file's), in
   * insertion order, about 1 MB at a time, written from the numbers and the fingerprints' bytes:
   * no string is made but for an id or fingerprint kept as one. `bytes` is reused after `write`
   * returns.
   * @param {(bytes: Buffer) => void} write
   */
  writeLines(write) {
    const CHUNK = 1 << 20;
    const buf = Buffer.allocUnsafe(CHUNK + 64);
    let pos = 0;
    for (let e = 0; e < this.count; e++) {
      const len = this.lens[e];
      if (len === DEAD) continue;
      const n = this.numbers[e];
      if (Number.isNaN(n) || len === OTHER) {
        const line = Buffer.from(`${this.idAt(e)}\t${this.fpAt(e)}\n`, "utf8");
        if (pos + line.length > buf.length) {
          write(buf.subarray(0, pos));
          pos = 0;
        }
        if (line.length > buf.length) write(line);
        else pos += line.copy(buf, pos);
      } else {
        // An id kept as a number has 1 to 15 digits, the first not 0: the line fits in the 64 spare bytes.
        pos = writeDigits(buf, pos, n);
        buf[pos++] = 9;
        const at = e * WIDTH;
        for (let i = 0; i < len; i++) buf[pos++] = this.fps[at + i];
        buf[pos++] = 10;
      }
      if (pos >= CHUNK) {
        write(buf.subarray(0, pos));
        pos = 0;
      }
    }
    if (pos > 0) write(buf.subarray(0, pos));
  }

  /**
   * `write(bytes)` with the JSON of the ids of `entries` (`"id","id",…`, without brackets; as
   * `JSON.stringify` writes each), about 1 MB at a time, from the numbers: no string made for an id
   * kept as one. `bytes` is reused after `write` returns.
   * @param {ArrayLike<number>} entries
   * @param {(bytes: Buffer) => void} write
   */
  writeIdsJson(entries, write) {
    const CHUNK = 1 << 20;
    const buf = Buffer.allocUnsafe(CHUNK + 64);
    let pos = 0;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k];
      const n = this.numbers[e];
      if (k > 0) buf[pos++] = 44;
      if (Number.isNaN(n)) {
        const json = Buffer.from(JSON.stringify(this.strings.get(e)), "utf8");
        if (pos + json.length > buf.length) {
          write(buf.subarray(0, pos));
          pos = 0;
        }
        if (json.length > buf.length) write(json);
        else pos += json.copy(buf, pos);
      } else {
        buf[pos++] = 34;
        pos = writeDigits(buf, pos, n);
        buf[pos++] = 34;
      }
      if (pos >= CHUNK) {
        write(buf.subarray(0, pos));
        pos = 0;
      }
    }
    if (pos > 0) write(buf.subarray(0, pos));
  }

  /**
   * The JSON array of the fingerprints of `entries` (`["fp",…]`, as `JSON.stringify` writes it),
   * as bytes, from the fingerprints' bytes: no string made but for one kept as a string.
   * @param {ArrayLike<number>} entries
   */
  fpsJson(entries) {
    const buf = Buffer.allocUnsafe(2 + entries.length * (WIDTH + 3));
    const fps = this.fps;
    let pos = 0;
    buf[pos++] = 91;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k];
      const len = this.lens[e];
      const start = pos;
      if (k > 0) buf[pos++] = 44;
      buf[pos++] = 34;
      // A fingerprint this version writes is base64url; another (a marker, an older file's) may need escapes.
      let i = 0;
      if (len !== OTHER) {
        for (const at = e * WIDTH; i < len; i++) {
          const b = fps[at + i];
          if (b < 0x20 || b >= 0x7f || b === 34 || b === 92) break;
          buf[pos++] = b;
        }
      }
      if (len === OTHER || i < len) {
        const parts = [buf.subarray(0, start), Buffer.from(`${k > 0 ? "," : ""}${JSON.stringify(this.fpAt(e))}`, "utf8")];
        return this.#fpsJsonSlow(entries, k + 1, parts);
      }
      buf[pos++] = 34;
    }
    buf[pos++] = 93;
    return buf.subarray(0, pos);
  }

  /**
   * fpsJson from the k-th entry on, each fingerprint through JSON.stringify.
   * @param {ArrayLike<number>} entries
   * @param {number} k
   * @param {Buffer[]} parts
   */
  #fpsJsonSlow(entries, k, parts) {
    let text = "";
    for (; k < entries.length; k++) text += `,${JSON.stringify(this.fpAt(entries[k]))}`;
    parts.push(Buffer.from(`${text}]`, "utf8"));
    return Buffer.concat(parts);
  }

  *keys() {
    for (let e = 0; e < this.count; e++) if (this.lens[e] !== DEAD) yield this.idAt(e);
  }

  /** `fn(id, fp)` for each entry, in insertion order. @param {(id: string, fp: string) => void} fn */
  each(fn) {
    for (let e = 0; e < this.count; e++) if (this.lens[e] !== DEAD) fn(this.idAt(e), this.fpAt(e));
  }
}

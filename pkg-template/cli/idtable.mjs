// Part of `kakao-talk-channel sync` (cli.mjs): the id → fingerprint table of the known state and of
// the CSV's rows, compact enough for a million users.

const EMPTY = -1;
/** Fingerprint bytes per entry: a fingerprint is 16 base64url characters (state.mjs FP_LENGTH). */
const WIDTH = 16;
/** `lens` value of an entry whose fingerprint is kept in `other` (longer than WIDTH, or not Latin-1). */
const OTHER = 255;

/**
 * id → fingerprint, as a `Map` of strings would hold them, in about a third of its memory (a Map
 * of a million ids and fingerprints costs some 150 MB): the ids in one array (index = entry,
 * `undefined` once deleted), each fingerprint's characters in a byte array (16 per entry, and a
 * length byte: "" and "?" are the markers of users that may or may not be in the file), and an
 * open-addressing index of the ids' hashes. Keeps insertion order as a Map does (an id set again
 * after a delete goes last). `set` returns the entry's index, which stays the same until the id
 * is deleted: `idAt(entry)` and `fpAt(entry)` read it back.
 */
export class IdTable {
  ids = [];
  fps = new Uint8Array(WIDTH * 1024);
  lens = new Uint8Array(1024);
  /** entry → fingerprint, for those that do not fit the byte array (never written by this version). */
  other = new Map();
  slots = new Int32Array(2048).fill(EMPTY);
  /** Slots taken, by live and deleted entries. */
  used = 0;
  size = 0;

  static #hash(id) {
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  /** The slot holding `id`'s entry, or the empty slot where it would go. */
  #slot(id) {
    const mask = this.slots.length - 1;
    for (let s = IdTable.#hash(id) & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s];
      if (e === EMPTY || this.ids[e] === id) return s;
    }
  }

  #grow() {
    const live = this.ids.length;
    if (this.lens.length < live + 1) {
      const lens = new Uint8Array(this.lens.length * 2);
      lens.set(this.lens);
      this.lens = lens;
      const fps = new Uint8Array(lens.length * WIDTH);
      fps.set(this.fps);
      this.fps = fps;
    }
    if ((this.used + 1) * 2 > this.slots.length) {
      const size = this.size * 4 > this.slots.length ? this.slots.length * 2 : this.slots.length;
      this.slots = new Int32Array(size).fill(EMPTY);
      this.used = 0;
      const mask = size - 1;
      for (let e = 0; e < this.ids.length; e++) {
        const id = this.ids[e];
        if (id === undefined) continue;
        let s = IdTable.#hash(id) & mask;
        while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
        this.slots[s] = e;
        this.used += 1;
      }
    }
  }

  /** The entry of `id`, or -1. */
  entryOf(id) {
    return this.slots[this.#slot(id)];
  }

  has(id) {
    return this.entryOf(id) !== EMPTY;
  }

  get(id) {
    const e = this.entryOf(id);
    return e === EMPTY ? undefined : this.fpAt(e);
  }

  /** `get(id) === fp`, without making a string. */
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

  /** Sets `id`'s fingerprint; returns its entry. */
  set(id, fp) {
    let s = this.#slot(id);
    let e = this.slots[s];
    if (e === EMPTY) {
      this.#grow();
      s = this.#slot(id);
      e = this.ids.length;
      this.ids.push(id);
      this.slots[s] = e;
      this.used += 1;
      this.size += 1;
    }
    this.#write(e, fp);
    return e;
  }

  #write(e, fp) {
    this.other.delete(e);
    let fits = fp.length <= WIDTH;
    for (let i = 0; fits && i < fp.length; i++) fits = fp.charCodeAt(i) < 256;
    if (!fits) {
      this.lens[e] = OTHER;
      this.other.set(e, fp);
      return;
    }
    const at = e * WIDTH;
    for (let i = 0; i < fp.length; i++) this.fps[at + i] = fp.charCodeAt(i);
    this.lens[e] = fp.length;
  }

  delete(id) {
    const e = this.entryOf(id);
    if (e === EMPTY) return false;
    // The slot keeps pointing at the deleted entry (probes pass it); a rebuild drops it.
    this.ids[e] = undefined;
    this.other.delete(e);
    this.size -= 1;
    return true;
  }

  idAt(e) {
    return this.ids[e];
  }

  fpAt(e) {
    const len = this.lens[e];
    if (len === OTHER) return this.other.get(e);
    const at = e * WIDTH;
    return String.fromCharCode.apply(null, this.fps.subarray(at, at + len));
  }

  *keys() {
    for (const id of this.ids) if (id !== undefined) yield id;
  }

  /** `fn(id, fp)` for each entry, in insertion order. */
  each(fn) {
    for (let e = 0; e < this.ids.length; e++) if (this.ids[e] !== undefined) fn(this.ids[e], this.fpAt(e));
  }
}

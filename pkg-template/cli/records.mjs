// Part of `kakao-talk-channel sync` (cli.mjs): a fast reader of the CSV's records, giving exactly
// what csv-parse gives with the CLI's options (cli/csv.mjs CSV_OPTIONS: bom, trim, skip_empty_lines,
// relax_column_count) for the CSV files it understands, and stopping, for csv-parse to take over,
// at the first byte it is not sure of.
//
// csv-parse's rules it follows (csv-parse 6, lib/api/index.js): a UTF-8 BOM at the start is skipped;
// the record delimiter is the first "\r\n", "\n" or "\r" outside quotes, and only that one from then
// on; a cell is trimmed of the whitespace `String.prototype.trim` removes (csv-parse's "timchars" are
// the same characters); a line left empty by trimming is skipped; a cell may open a quote after
// whitespace only, `""` inside quotes is one quote, and after the closing quote only whitespace may
// come before the delimiter or the record's end. It stops (csv-parse then reads the whole file, and
// says what is wrong with it, with its line number) at: a "\r" alone as the record delimiter, a
// "\n" alone in a "\r\n" file, a quote inside an unquoted cell, anything but ASCII whitespace after a
// closing quote, or a quote never closed.

import * as buffer from "node:buffer";

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/** Bytes of lines decoded at once by `each`. */
const BLOCK = 1 << 14;

/** `buffer.isAscii` (Node ≥ 18.15); without it every line is decoded alone. */
const isAscii = typeof buffer.isAscii === "function" ? buffer.isAscii : () => false;

/** Spaces and tabs a quote may follow at a cell's start, or its closing quote be followed by (CR: see `#quoted`). */
/** @param {number} b */
const isBlank = (b) => b === 0x20 || b === 0x09 || b === 0x0b || b === 0x0c;

export class FastCsv {
  /** `bytes`: the CSV (UTF-8 checked). `ok` false: csv-parse must read it from the start. @param {Buffer} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const end = this.#firstLineEnd();
    this.ok = end < 0 || bytes[end] === NL || bytes[end + 1] === NL;
    this.crlf = end >= 0 && bytes[end] === CR;
    this.quoteFrom = 0;
    this.quoteAt = -1;
  }

  /** The first "\r" or "\n" outside quotes (a quote toggles; `""` toggles twice), or -1. */
  #firstLineEnd() {
    const b = this.bytes;
    let quoting = false;
    for (let p = this.start; p < b.length; p++) {
      const c = b[p];
      if (c === QUOTE) quoting = !quoting;
      else if (!quoting && (c === NL || c === CR)) return p;
    }
    return -1;
  }

  /**
   * Calls `onRecord(cells, at)` for each record (`at`: the byte offset of its first line, for
   * `recordAt`), header first, empty lines skipped. Returns -1 once it read the whole file, or the
   * number of records it gave before stopping at something it leaves to csv-parse.
   * @param {(cells: string[], at: number) => void} onRecord
   * @returns {number}
   */
  each(onRecord) {
    const b = this.bytes;
    const len = b.length;
    if (!this.ok) return 0;
    let given = 0;
    let quote = b.indexOf(QUOTE, this.start);
    if (quote < 0) quote = len;
    for (let pos = this.start; pos < len; ) {
      let end = b.indexOf(NL, pos);
      if (end < 0) end = len;
      if (quote < end) {
        const r = this.#quoted(pos);
        if (r === null) return given;
        onRecord(r.cells, pos);
        given += 1;
        pos = r.next;
        if (quote < pos) {
          quote = b.indexOf(QUOTE, pos);
          if (quote < 0) quote = len;
        }
        continue;
      }
      // The lines before the next quote, up to BLOCK bytes, decoded at once when they are ASCII
      // (offsets in the string are then those of the bytes): no call out of JS per line. 16 KB: larger
      // blocks saved no more time and raised the peak RSS of a re-sync (64 KB: +10 MB at 300,000 rows).
      const stop = Math.min(quote, pos + BLOCK);
      const blockEnd = stop >= len ? len : b.lastIndexOf(NL, stop - 1) + 1;
      if (blockEnd > end && isAscii(b.subarray(pos, blockEnd))) {
        const text = b.toString("latin1", pos, blockEnd);
        for (let p = 0; p < text.length; ) {
          let e = text.indexOf("\n", p);
          if (e < 0) e = text.length;
          if (this.crlf && pos + e < len && (e === p || text.charCodeAt(e - 1) !== CR)) return given;
          const cells = splitLine(text.slice(p, e));
          if (cells !== null) {
            onRecord(cells, pos + p);
            given += 1;
          }
          p = e + 1;
        }
        pos = blockEnd;
        continue;
      }
      if (this.crlf && end < len && (end === pos || b[end - 1] !== CR)) return given;
      const cells = splitLine(b.toString("utf8", pos, end));
      if (cells !== null) {
        onRecord(cells, pos);
        given += 1;
      }
      pos = end + 1;
    }
    return -1;
  }

  /**
   * The cells of the record starting at `at` (an offset `each` gave), or null (never for those).
   * @param {number} at
   * @returns {string[] | null}
   */
  recordAt(at) {
    const b = this.bytes;
    let end = b.indexOf(NL, at);
    if (end < 0) end = b.length;
    if (this.#quoteAfter(at) < end) return this.#quoted(at)?.cells ?? null;
    return splitLine(b.toString("utf8", at, end));
  }

  /** The first quote at or after `at` (or the length): searched again only when `at` passed the last one found, or went back. @param {number} at */
  #quoteAfter(at) {
    if (at < this.quoteFrom || at > this.quoteAt) {
      const q = this.bytes.indexOf(QUOTE, at);
      this.quoteFrom = at;
      this.quoteAt = q < 0 ? this.bytes.length : q;
    }
    return this.quoteAt;
  }

  /**
   * A record holding a quote, read byte by byte: `{ cells, next }` (next: after its end), or null to stop.
   * @param {number} pos
   * @returns {{ cells: string[]; next: number } | null}
   */
  #quoted(pos) {
    const b = this.bytes;
    const len = b.length;
    /** @type {string[]} */
    const cells = [];
    let p = pos;
    for (;;) {
      let s = p;
      while (s < len && isBlank(b[s])) s++;
      let after; // the byte ending the cell: a comma, a newline, or len
      if (s < len && b[s] === QUOTE) {
        let q = s + 1;
        for (;;) {
          q = b.indexOf(QUOTE, q);
          if (q < 0) return null; // never closed: csv-parse says so
          if (b[q + 1] === QUOTE) q += 2;
          else break;
        }
        const text = b.toString("utf8", s + 1, q);
        cells.push(text.includes('"') ? text.replaceAll('""', '"') : text);
        after = q + 1;
        // Whitespace, then the delimiter or the record's end. A "\r" is whitespace there (in a "\r\n"
        // file its "\n" must follow, checked below); a "\n" in a "\r\n" file is left to csv-parse.
        while (after < len && (isBlank(b[after]) || b[after] === CR)) after++;
        if (after < len && b[after] !== COMMA && b[after] !== NL) return null;
      } else {
        after = p;
        while (after < len && b[after] !== COMMA && b[after] !== NL) {
          if (b[after] === QUOTE) return null; // a quote inside a cell: csv-parse says whether it is an error
          after++;
        }
        cells.push(b.toString("utf8", p, after).trim());
      }
      if (after >= len) return { cells, next: len };
      if (b[after] === NL) {
        if (this.crlf && b[after - 1] !== CR) return null;
        return { cells, next: after + 1 };
      }
      p = after + 1;
    }
  }
}

/**
 * A line without quotes as cells (`line.split(",")`, each cell trimmed), or null when trimming
 * leaves it empty (a skipped line). Cells are cut with indexOf, not split (no array made and copied
 * again), and trimmed only when they start or end with a character `trim` may remove: whitespace
 * and line terminators are at most U+0020 or beyond ASCII.
 * @param {string} line
 */
export function splitLine(line) {
  /** @type {string[]} */
  const cells = [];
  let from = 0;
  for (;;) {
    let to = line.indexOf(",", from);
    if (to < 0) to = line.length;
    let cell = line.slice(from, to);
    const n = cell.length;
    if (n > 0) {
      const a = cell.charCodeAt(0);
      const z = cell.charCodeAt(n - 1);
      if (a <= 0x20 || a >= 0x80 || z <= 0x20 || z >= 0x80) cell = cell.trim();
    }
    cells.push(cell);
    if (to === line.length) break;
    from = to + 1;
  }
  return cells.length === 1 && cells[0] === "" ? null : cells;
}

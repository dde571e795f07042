// Part of `kakao-talk-channel sync` (cli.mjs): a CSV row's cells as the fields sent for it, and
// its fingerprint (what state files record, to tell an unchanged row).
import * as crypto from "node:crypto";

/**
 * A column sent as a field: its index in the header, its header name and the schema key it goes
 * to; `number` (set by columnTypes) and `json` (the key's JSON, set by rowReader) once known.
 * @typedef {{ index: number; header: string; key: string; number?: boolean; json?: string }} Column
 */
/** @typedef {Record<string, string | number>} Fields */

export const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A cell as a field value: numbers for "number" keys when the text is a number.
 * @param {string} text
 * @param {boolean | undefined} number
 */
export function cellValue(text, number) {
  if (!number) return text;
  // Up to 15 digits (most numbers in a CSV): exactly Number(text), without the pattern.
  const len = text.length;
  if (len > 0 && len <= 15) {
    let n = 0;
    let i = 0;
    for (; i < len; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === len) return n;
  }
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

export const sha256 =
  typeof crypto.hash === "function"
    ? /** @param {string} text */ (text) => crypto.hash("sha256", text, "base64url")
    : /** @param {string} text */ (text) => crypto.createHash("sha256").update(text).digest("base64url");

/** 16 characters of the SHA-256 of the JSON of `Object.entries(fields)`: what state files record. */
export const fingerprintOf = /** @param {string} entriesJson */ (entriesJson) => sha256(entriesJson).slice(0, 16);

/**
 * `fp(cells, fields?)`: the fingerprint of the fields of the columns (empty cells left out), as
 * fieldsReader makes them; with `fields` (an empty object), also sets them there, as fieldsReader
 * would. The JSON of `Object.entries(fields)` is written directly, without the fields or the
 * entries arrays (most rows of a re-sync are unchanged and need no fields), unless a key looks
 * like an array index (those come first in `Object.entries`).
 * @param {Column[]} columns
 * @returns {(cells: string[], fields?: Fields) => string}
 */
export function rowReader(columns) {
  for (const c of columns) c.json = JSON.stringify(c.key);
  const direct = columns.every((c) => !/^(?:0|[1-9]\d*)$/.test(c.key));
  if (!direct) {
    const fill = fieldsFiller(columns);
    return (cells, fields = {}) => fingerprintOf(JSON.stringify(Object.entries(fill(cells, fields))));
  }
  // Each entry's opening, `[[key,` for the first and `,[key,` for the others, made once.
  const first = columns.map((c) => `[[${c.json},`);
  const next = columns.map((c) => `,[${c.json},`);
  return (cells, fields) => {
    let json = "";
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k];
      const text = cells[c.index] ?? "";
      if (text === "") continue;
      const value = cellValue(text, c.number);
      if (fields) fields[c.key] = value;
      json += `${json === "" ? first[k] : next[k]}${typeof value === "number" ? String(value) : jsonString(value)}]`;
    }
    return fingerprintOf(json === "" ? "[]" : `${json}]`);
  };
}

/**
 * `JSON.stringify(s)`, without a call into it for a string that needs no escape (no control
 * character, quote, backslash or surrogate: JSON.stringify escapes a lone one).
 * @param {string} s
 */
export function jsonString(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * `fields(cells)`: the fields of the columns (empty cells left out), numbers for "number" keys.
 * @param {Column[]} columns
 * @returns {(cells: string[]) => Fields}
 */
export function fieldsReader(columns) {
  const fill = fieldsFiller(columns);
  return (cells) => fill(cells, {});
}

/**
 * `fill(cells, fields)`: sets the fields of the columns in `fields` (see fieldsReader); returns it.
 * @param {Column[]} columns
 * @returns {(cells: string[], fields: Fields) => Fields}
 */
function fieldsFiller(columns) {
  return (cells, fields) => {
    for (const c of columns) {
      const text = cells[c.index] ?? "";
      if (text !== "") fields[c.key] = cellValue(text, c.number);
    }
    return fields;
  };
}

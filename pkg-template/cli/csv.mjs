// Part of `kakao-talk-channel sync` (cli.mjs): reading the CSV, its rows and columns, and the rejects file.
import * as buffer from "node:buffer";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { CsvError, transform as csvParser } from "../vendor/csv-parse/api/index.js";
import { CHECK_CHUNK, UsageError, validateCustomerFileUsers } from "./common.mjs";
import { fieldsReader, rowReader } from "./fields.mjs";
import { IdTable } from "./idtable.mjs";
import { FastCsv } from "./records.mjs";
import { UNSURE } from "./state.mjs";

/**
 * @import { CustomerFileSchema } from "../index.js"
 * @import { SyncOptions } from "./common.mjs"
 * @import { Progress } from "./progress.mjs"
 */

/** @typedef {import("./fields.mjs").Column} Column */
/** @typedef {import("./fields.mjs").Fields} Fields */
/**
 * A rejected row's problem: `i` the row's index (0 is the first row after the header), `field`
 * the SDK's path without `users[N].` ("" for the row as a whole), `duplicateOf` the row it repeats.
 * @typedef {{ i: number; field: string; rule: string; message: string; duplicateOf?: number }} Problem
 */
/**
 * The adds of planRows: their entries in `desired`, record numbers (0 is the header) and byte
 * offsets, in CSV order.
 * @typedef {{ entries: Int32Array; records: Int32Array; offsets: Float64Array }} Adds
 */

// The row readers live in cli/fields.mjs; exported here too, where they were.
export { NUMBER, cellValue, fieldsReader, fingerprintOf, jsonString, rowReader, sha256 } from "./fields.mjs";

// ---------------------------------------------------------------------------------- CSV ----

export const CSV_OPTIONS = { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true };

/** `buffer.isUtf8` (Node ≥ 18.14), else a strict decode: the first makes no 45 MB string of a million-row CSV. */
const isUtf8 =
  typeof buffer.isUtf8 === "function"
    ? buffer.isUtf8
    : /** @param {Buffer} bytes */ (bytes) => {
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(bytes);
          return true;
        } catch {
          return false;
        }
      };

/** The CSV's bytes, refused unless they are UTF-8 (a BOM is fine). @param {string} path */
export function readCsvBytes(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
    throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`);
  }
  if (!isUtf8(bytes)) throw new UsageError(`${basename(path)}:${firstNonUtf8Line(bytes)}: not valid UTF-8; save the CSV as UTF-8 (a BOM is fine)`);
  return bytes;
}

/** The 1-based line holding the first bytes that are not UTF-8 (on the error path only). @param {Buffer} bytes */
export function firstNonUtf8Line(bytes) {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return "?";
}

/**
 * Calls `onRecord(cells, at)` for each record of the CSV (arrays of trimmed cells), header first,
 * empty lines skipped, keeping none of them: a million rows are never all in memory at once.
 * Read by cli/records.mjs's FastCsv (`at`: the byte offset of the record, for its `recordAt`)
 * up to anything it leaves to csv-parse, which then reads the file from the start (its records
 * already given skipped; `at` is -1 from then on). Returns the FastCsv when it read the whole file,
 * else null. `extra`: more csv-parse options (csv-parse only).
 * @param {Buffer} bytes
 * @param {string} path
 * @param {(cells: string[], at: number) => void} onRecord
 * @param {object} [extra]
 * @returns {FastCsv | null}
 */
export function eachRecord(bytes, path, onRecord, extra = {}) {
  let skip = 0;
  if (Object.keys(extra).length === 0) {
    const fast = new FastCsv(bytes);
    skip = fast.each(onRecord);
    if (skip < 0) return fast;
  }
  let error;
  try {
    /** @param {string[]} cells */
    const push = (cells) => {
      if (skip > 0) skip -= 1;
      else onRecord(cells, -1);
    };
    error = csvParser({ ...CSV_OPTIONS, ...extra }).parse(bytes, true, push, () => {});
  } catch (err) {
    error = err;
  }
  if (error === undefined) return null;
  if (error instanceof CsvError) throw new UsageError(`${basename(path)}:${/** @type {{ lines?: number }} */ (error).lines ?? "?"}: not valid CSV: ${error.message}`);
  throw error;
}

/**
 * The cells of the records numbered in `wanted` (0 is the header).
 * @param {Buffer} bytes
 * @param {string} path
 * @param {Set<number>} wanted
 * @param {object} [extra]
 */
export function recordsAt(bytes, path, wanted, extra = {}) {
  /** @type {Map<number, string[]>} */
  const found = new Map();
  let r = 0;
  eachRecord(bytes, path, (cells) => {
    if (wanted.has(r)) found.set(r, cells);
    r += 1;
  }, extra);
  return found;
}

/**
 * The line each record starts on (csv-parse reports the line each ends on). A second pass over
 * the CSV, made only to report rejected rows: the main pass keeps no line numbers.
 * @param {Buffer} bytes
 * @param {string} path
 */
export function recordLines(bytes, path) {
  /** @type {number[]} */
  const lines = [];
  let prevEnd = 0;
  let prevEmpty = 0;
  eachRecord(bytes, path, () => {}, {
    on_record: /** @param {unknown} _record @param {{ lines: number; empty_lines: number; comment_lines: number }} info */ (_record, info) => {
      lines.push(prevEnd + 1 + (info.empty_lines - prevEmpty) + info.comment_lines);
      prevEnd = info.lines;
      prevEmpty = info.empty_lines;
      return undefined;
    },
  });
  return lines;
}

/** Each header name once: with `age,age` a row's second cell would silently replace its first. @param {string[]} header */
export function checkHeader(header) {
  /** @type {Map<string, number>} */
  const first = new Map();
  for (const [i, name] of header.entries()) {
    if (first.has(name)) {
      throw new UsageError(`the CSV header names ${JSON.stringify(name)} twice (columns ${/** @type {number} */ (first.get(name)) + 1} and ${i + 1}); each column needs its own name`);
    }
    first.set(name, i);
  }
}

/**
 * `[{ index, header, key }]` of the columns sent as fields.
 * @param {string[]} header
 * @param {number} idIndex
 * @param {string | undefined} spec `--columns`
 * @returns {Column[]}
 */
export function fieldColumns(header, idIndex, spec) {
  /** @param {string} name */
  const indexOf = (name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new UsageError(`no column ${JSON.stringify(name)} in the CSV header (${header.map((h) => JSON.stringify(h)).join(", ")})`);
    return i;
  };
  if (spec === undefined) {
    return header.map((h, index) => ({ index, header: h, key: h })).filter((c) => c.index !== idIndex);
  }
  const columns = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf("=");
      const name = eq < 0 ? part : part.slice(0, eq).trim();
      const key = eq < 0 ? part : part.slice(eq + 1).trim();
      const index = indexOf(name);
      if (index === idIndex) throw new UsageError(`--columns: ${JSON.stringify(name)} is the id column`);
      return { index, header: name, key };
    });
  /** @type {Map<string, string>} */
  const byKey = new Map();
  for (const c of columns) {
    const other = byKey.get(c.key);
    if (other !== undefined) {
      throw new UsageError(
        other === c.header
          ? `--columns names ${JSON.stringify(c.header)} twice`
          : `--columns: ${JSON.stringify(other)} and ${JSON.stringify(c.header)} both go to the key ${JSON.stringify(c.key)}`,
      );
    }
    byKey.set(c.key, c.header);
  }
  return columns;
}

/**
 * Which columns take numbers. The SDK's own rules decide: a probe user with the value 0 passes
 * for a "number" key and fails with fields.type_mismatch for a "string" key; any other failure
 * (a key that is not in the schema, a forbidden key) is a setup error.
 * @param {Column[]} columns
 * @param {CustomerFileSchema} schema
 */
export function columnTypes(columns, schema) {
  for (const c of columns) {
    const { errors } = validateCustomerFileUsers({ userType: "app", schema, users: [{ id: "1", fields: { [c.key]: 0 } }] });
    const e = errors[0];
    if (!e) c.number = true;
    else if (e.rule === "fields.type_mismatch") c.number = false;
    else throw new UsageError(`column ${JSON.stringify(c.header)}: ${e.message} [${e.rule}]; the file's schema: ${JSON.stringify(schema)}`);
  }
  const sample = Object.fromEntries(columns.map((c) => [c.key, c.number ? 0 : "x"]));
  const e = validateCustomerFileUsers({ userType: "app", schema, users: [{ id: "1", fields: sample }] }).errors[0];
  if (e) throw new UsageError(`columns: ${e.field.replace(/^users\[0\]\./, "").replace(/^fields\./, "")}: ${e.message} [${e.rule}]`);
}

/**
 * The users to add, read again from the CSV's bytes as their batches are sent, so that no row's
 * fields are kept from the first pass (at a million rows they would cost some 200 MB). `table`:
 * the table of the CSV's rows (planRows's `desired`), `adds.entries` the adds' entries in it,
 * `adds.records`: their record numbers (0 is the header), `adds.offsets`: where they start in the
 * CSV, all in CSV order. With `fast` (the FastCsv that read the whole CSV in the first pass) each
 * add's record is read from its offset; else the CSV is parsed again by csv-parse, a slice at a
 * time. Each row read is checked to hold its id.
 */
export class AddRows {
  static SLICE = 1 << 20;

  /**
   * @param {Buffer} bytes
   * @param {{ idIndex: number; userType: "app" | "phone" }} row
   * @param {Column[]} columns
   * @param {IdTable} table
   * @param {Adds} adds
   * @param {FastCsv | null} fast
   */
  constructor(bytes, { idIndex, userType }, columns, table, adds, fast) {
    this.bytes = bytes;
    this.fields = fieldsReader(columns);
    this.table = table;
    this.entries = adds.entries;
    this.records = adds.records;
    this.offsets = adds.offsets;
    this.fast = fast;
    this.idIndex = idIndex;
    this.userType = userType;
    this.parser = csvParser({ ...CSV_OPTIONS });
    this.at = 0; // bytes handed to the parser
    this.record = 0; // records seen
    this.next = 0; // adds found
    /** @type {{ id: string; fields: Fields }[]} */
    this.ready = [];
    /** @param {string[]} cells */
    this.push = (cells) => {
      if (this.next < this.records.length && this.record === this.records[this.next]) {
        this.ready.push({ id: this.#idOf(this.next, cells), fields: this.fields(cells) });
        this.next += 1;
      }
      this.record += 1;
    };
  }

  /**
   * The id of the k-th add, checked against the row read for it: the same bytes and parser as
   * the first pass, so a row that is not the one planned is a bug, and sending its fields under
   * another user's id must not happen. The row's own cell when it is the id exactly (no string made).
   * @param {number} k
   * @param {string[] | null} cells
   * @returns {string}
   */
  #idOf(k, cells) {
    const raw = cells?.[this.idIndex] ?? "";
    const e = this.entries[k];
    if (this.table.isIdAt(e, raw)) return raw;
    const id = this.table.idAt(e);
    if ((this.userType === "app" ? canonicalAppId(raw) : raw) !== id) throw new Error(`the second pass over the CSV found ${JSON.stringify(raw)} where ${JSON.stringify(id)} was planned`);
    return id;
  }

  /** The next `n` users `{ id, fields }` (fewer at the end). @param {number} n */
  take(n) {
    if (this.fast) {
      /** @type {{ id: string; fields: Fields }[]} */
      const users = [];
      for (const end = Math.min(this.next + n, this.offsets.length); this.next < end; this.next++) {
        const cells = this.fast.recordAt(this.offsets[this.next]);
        users.push({ id: this.#idOf(this.next, cells), fields: this.fields(/** @type {string[]} */ (cells)) });
      }
      return users;
    }
    while (this.ready.length < n && this.at < this.bytes.length) {
      const end = Math.min(this.at + AddRows.SLICE, this.bytes.length);
      const error = this.parser.parse(this.bytes.subarray(this.at, end), end === this.bytes.length, this.push, () => {});
      if (error !== undefined) throw error; // the first pass read these bytes without one
      this.at = end;
    }
    return this.ready.splice(0, n);
  }
}

/**
 * Ids that the SDK's rules may count as one user share a coarse id (their digits without
 * leading zeros); whether they are one user is left to those rules.
 */
export const coarseId = /** @param {string} id */ (id) => (/^[1-9]\d*$/.test(id) ? id : id.replace(/\D+/g, "").replace(/^0+/, ""));

/** An app user id as a canonical decimal string (after the SDK's rules accepted it). */
export const canonicalAppId = /** @param {string} id */ (id) => (/^[1-9]\d*$/.test(id) ? id : BigInt(id).toString());

/** The CSV's line count (an upper bound of its rows), to size the tables at once. @param {Buffer} bytes */
export function lineCount(bytes) {
  let n = 1;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) n += 1;
  return n;
}

/**
 * One pass over the CSV's rows against the known state: `desired` (id → fingerprint of every
 * row), `adds` (rows new or changed: `{ entries, records, offsets }`, their entries in `desired`,
 * their record numbers and byte offsets, typed arrays in CSV order; their fields are read again
 * when they are sent, see AddRows), `fresh` (how many adds
 * are new ids), `problems` (`{ i, field, rule, message, duplicateOf? }`, i the row's index) and
 * `fast` (the FastCsv that read the whole CSV, or null: see eachRecord).
 *
 * A row whose id and fingerprint are exactly what the known state records was sent and checked
 * before and is not sent now, so it is not checked again; every other row goes through
 * validateCustomerFileUsers, CHECK_CHUNK rows per call. Repeated ids are looked for across the
 * whole CSV: rows sharing a coarse id are checked together afterwards.
 * @param {Buffer} bytes
 * @param {SyncOptions} opts
 * @param {string[]} header
 * @param {number} idIndex
 * @param {Column[]} columns
 * @param {CustomerFileSchema} schema
 * @param {IdTable} known
 * @param {Progress} [progress]
 * @param {number} [lines] lineCount(bytes), when the caller has it
 */
export function planRows(bytes, opts, header, idIndex, columns, schema, known, progress, lines = lineCount(bytes)) {
  const read = rowReader(columns);
  const fieldsOf = fieldsReader(columns);
  const desired = new IdTable(lines);
  // Typed arrays (no garbage for the collector to scan) of the line count, grown if a file with "\r"
  // line ends (csv-parse's) has more rows than lines.
  /** @type {Adds} */
  const adds = { entries: new Int32Array(lines), records: new Int32Array(lines), offsets: new Float64Array(lines) };
  const grow = () => {
    for (const key of /** @type {const} */ (["entries", "records", "offsets"])) {
      const more = new /** @type {any} */ (adds[key].constructor)(adds[key].length * 2);
      more.set(adds[key]);
      adds[key] = more;
    }
  };
  let addCount = 0;
  /** @type {Problem[]} */
  const problems = [];
  // Rows that may be one user: a desired id set twice, and (phones only: written differently, they
  // can still be one number) a coarse id seen twice; rows the rules refused are compared at the end.
  /** @type {Set<string> | null} */
  const seen = opts.userType === "phone" ? new Set() : null;
  /** @type {string[]} */
  const refused = [];
  /** @type {Set<string>} */
  const twins = new Set();
  /**
   * @param {string} id
   * @param {string} fp
   */
  const keep = (id, fp) => {
    const size = desired.size;
    const entry = desired.set(id, fp);
    if (desired.size === size) twins.add(coarseId(id));
    return entry;
  };
  let rowCount = 0;
  let fresh = 0;
  // The rows waiting for their check: the users as checked, and each one's row index, byte offset
  // and fingerprint (no object per row but the user).
  /** @type {{ id: string; fields: Fields }[]} */
  let pending = [];
  const pendingRow = new Int32Array(CHECK_CHUNK);
  const pendingAt = new Float64Array(CHECK_CHUNK);
  /** @type {string[]} */
  const pendingFp = new Array(CHECK_CHUNK);

  /**
   * @param {number} k
   * @param {string} raw
   */
  const accept = (k, raw) => {
    const id = opts.userType === "app" ? canonicalAppId(raw) : raw;
    const fp = pendingFp[k];
    const entry = keep(id, fp);
    if (known.size > 0) {
      if (known.same(id, fp)) return;
      const was = known.get(id);
      if (was === undefined || was === UNSURE) fresh += 1;
    } else {
      fresh += 1;
    }
    if (addCount === adds.entries.length) grow();
    adds.entries[addCount] = entry;
    adds.records[addCount] = pendingRow[k] + 1;
    adds.offsets[addCount] = pendingAt[k];
    addCount += 1;
  };
  const check = () => {
    if (pending.length === 0) return;
    const users = pending;
    const { errors } = validateCustomerFileUsers({ userType: opts.userType, schema, users });
    /** @type {Set<number>} */
    const bad = new Set();
    for (const e of errors) {
      if (e.rule === "users.duplicate_id") continue; // found across the whole CSV below
      if (!bad.has(e.index)) refused.push(coarseId(users[e.index].id));
      bad.add(e.index);
      problems.push({ i: pendingRow[e.index], field: e.field.replace(/^users\[\d+\]\./, ""), rule: e.rule, message: e.message });
    }
    for (let k = 0; k < users.length; k++) if (!bad.has(k)) accept(k, users[k].id);
    pending = [];
  };

  let r = 0;
  const fast = eachRecord(bytes, opts.csv, (cells, at) => {
    if (r++ === 0) return; // the header
    const i = r - 2;
    rowCount += 1;
    if (cells.length !== header.length) {
      problems.push({ i, field: "", rule: "csv.column_count", message: `has ${cells.length} cells; the header has ${header.length}` });
    }
    const id = cells[idIndex] ?? "";
    // Nothing known (a first sync): every row is checked, its fields made with its fingerprint.
    /** @type {Fields | undefined} */
    const fields = known.size === 0 ? {} : undefined;
    const fp = read(cells, fields);
    if (seen) {
      const coarse = coarseId(id);
      if (seen.has(coarse)) twins.add(coarse);
      else seen.add(coarse);
    }
    if (fields === undefined && known.same(id, fp)) {
      keep(id, fp);
      return;
    }
    const k = pending.length;
    pendingRow[k] = i;
    pendingAt[k] = at;
    pendingFp[k] = fp;
    pending.push({ id, fields: fields ?? fieldsOf(cells) });
    if (pending.length === CHECK_CHUNK) {
      check();
      progress?.set(rowCount);
    }
  });
  check();
  if (progress) {
    progress.total = rowCount; // the line count was an estimate (quoted line breaks, a last newline)
    progress.set(rowCount);
  }
  /** @type {Set<string>} */
  const refusedOnce = new Set();
  for (const coarse of refused) {
    if (desired.has(coarse) || refusedOnce.has(coarse)) twins.add(coarse);
    refusedOnce.add(coarse);
  }
  if (twins.size > 0) problems.push(...duplicates(bytes, opts, idIndex, twins));
  adds.entries = adds.entries.subarray(0, addCount);
  adds.records = adds.records.subarray(0, addCount);
  adds.offsets = adds.offsets.subarray(0, addCount);
  return { rowCount, desired, adds, fresh, problems, fast };
}

/**
 * The rows repeating an earlier row's user, by the SDK's rules (`users.duplicate_id`).
 * @param {Buffer} bytes
 * @param {SyncOptions} opts
 * @param {number} idIndex
 * @param {Set<string>} twins
 * @returns {Problem[]}
 */
export function duplicates(bytes, opts, idIndex, twins) {
  /** @typedef {{ i: number; id: string }} Member */
  /** @type {Map<string, Member[]>} */
  const groups = new Map();
  let r = 0;
  eachRecord(bytes, opts.csv, (cells) => {
    if (r++ === 0) return;
    const id = cells[idIndex] ?? "";
    const coarse = coarseId(id);
    if (!twins.has(coarse)) return;
    const group = groups.get(coarse);
    if (group) group.push({ i: r - 2, id });
    else groups.set(coarse, [{ i: r - 2, id }]);
  });
  /** @type {Problem[]} */
  const found = [];
  /** @type {Member[]} */
  let batch = [];
  const check = () => {
    const users = batch.map((m) => ({ id: m.id, fields: {} }));
    for (const e of validateCustomerFileUsers({ userType: opts.userType, users }).errors) {
      if (e.rule !== "users.duplicate_id") continue;
      found.push({ i: batch[e.index].i, field: "id", rule: e.rule, message: e.message, duplicateOf: batch[/** @type {number} */ (e.duplicateOf)].i });
    }
    batch = [];
  };
  // Whole groups per call (users of different groups are never the same user).
  for (const group of groups.values()) {
    if (batch.length > 0 && batch.length + group.length > CHECK_CHUNK) check();
    batch.push(...group);
  }
  if (batch.length > 0) check();
  return found;
}

#!/usr/bin/env node
// `kakao-talk-channel sync`: makes a Kakao customer file hold exactly the rows of a CSV.
// Node only. The rules are the SDK's own (validateCustomerFileUsers, compiled from Rust); this
// file reads the CSV, keeps the state and journal, sends batches and draws progress.
import * as crypto from "node:crypto";
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CsvError, transform as csvParser } from "./vendor/csv-parse/api/index.js";
import { TalkChannelClient, validateCustomerFileUsers } from "./node.js";

const BATCH = 2000;
/** Rows per validateCustomerFileUsers call (one call over a million rows is much slower than 100 of 10,000). */
const CHECK_CHUNK = 10_000;
const SHOWN_ERRORS = 10;
const SHOWN_IDS = 10;
/** Without --max-delete a run may delete 10% of the users known to be in the file, or 10, whichever is more. */
const DEFAULT_MAX_DELETE = { percent: 10, atLeast: 10 };
const EXIT = { ok: 0, rejected: 1, usage: 2, failed: 3, interrupted: 130 };

const HELP = `Usage: kakao-talk-channel sync --csv FILE --channel ID --file-id N [options]
       kakao-talk-channel --version | --help

Makes a Kakao customer file hold exactly the rows of a CSV: adds new and changed rows,
deletes rows that left the CSV (known from the state file of the previous run).

Required:
  --csv FILE           UTF-8 CSV (a BOM is fine) with a header row
  --channel ID         the channel's public id, e.g. _ZeUTxl
  --file-id N          the customer file (its schema is read with listCustomerFiles)

Options:
  --user-type TYPE     app (service user ids, default) or phone (phone numbers)
  --id-column NAME     the column holding the id (default: the first column)
  --columns LIST       columns to send as fields, comma-separated, each NAME or NAME=KEY
                       (KEY: a schema key, Korean or English alias); default: every other
                       column, its header read as the key
  --max-delete N|P%    refuse a run deleting more users than N, or than P% of the users
                       known to be in the file (default: 10%, or 10 users if that is more)
  --state FILE         state of the file as of the last run (default: <csv>.kakao-sync.json);
                       the journal is FILE.journal
  --rejects FILE       where rejected rows go (default: <csv>.rejects.csv)
  --concurrency N      batches of 2,000 in flight at once, 1-16 (default 4)
  --dry-run            print the plan (adds, deletes, batches) and send nothing
  --no-progress        no progress output on stderr
  -h, --help           this text
  --version            the package's version

Environment:
  KAKAO_REST_API_KEY   the REST API key (required; never taken from a flag; used as is,
                       a key with a trailing newline or space is refused)
  KAKAO_BASE_URL       another Kakao origin, e.g. the emulator's (optional)

Exit codes: 0 done (or dry run), 1 rows rejected (nothing sent, see the rejects file),
2 usage or setup error (nothing sent; also: more deletes than --max-delete allows),
3 a Kakao call failed (re-run to resume), 130 interrupted (re-run to resume).
`;

class UsageError extends Error {}

function fail(code, message) {
  process.stderr.write(`kakao-talk-channel: ${message}\n`);
  process.exit(code);
}

function parseFlags(argv) {
  if (argv.length === 0) return { usage: true };
  if (argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help") return { help: true };
  if (argv[0] === "--version" || argv[0] === "-v") return { version: true };
  if (argv[0] !== "sync") throw new UsageError(`unknown command ${JSON.stringify(argv[0])}; try --help`);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.slice(1),
      strict: true,
      allowPositionals: false,
      options: {
        csv: { type: "string" },
        channel: { type: "string" },
        "file-id": { type: "string" },
        "user-type": { type: "string", default: "app" },
        "id-column": { type: "string" },
        columns: { type: "string" },
        "max-delete": { type: "string" },
        state: { type: "string" },
        rejects: { type: "string" },
        concurrency: { type: "string", default: "4" },
        "dry-run": { type: "boolean", default: false },
        "no-progress": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(`${err.message}; try --help`);
  }
  if (values.help) return { help: true };
  for (const name of ["csv", "channel", "file-id"]) {
    if (!values[name]) throw new UsageError(`--${name} is required; try --help`);
  }
  const fileId = Number(values["file-id"]);
  if (!/^\d+$/.test(values["file-id"]) || !Number.isSafeInteger(fileId) || fileId <= 0) {
    throw new UsageError("--file-id must be a positive integer");
  }
  const concurrency = Number(values.concurrency);
  if (!/^\d+$/.test(values.concurrency) || concurrency < 1 || concurrency > 16) {
    throw new UsageError("--concurrency must be an integer from 1 to 16");
  }
  if (values["user-type"] !== "app" && values["user-type"] !== "phone") {
    throw new UsageError('--user-type must be "app" or "phone"');
  }
  const csv = resolve(values.csv);
  const state = resolve(values.state ?? `${csv}.kakao-sync.json`);
  return {
    csv,
    channel: values.channel,
    fileId,
    userType: values["user-type"],
    idColumn: values["id-column"],
    columns: values.columns,
    maxDelete: parseMaxDelete(values["max-delete"]),
    state,
    journal: `${state}.journal`,
    rejects: resolve(values.rejects ?? `${csv}.rejects.csv`),
    concurrency,
    dryRun: values["dry-run"],
    progress: !values["no-progress"],
  };
}

/** `--max-delete`: `{ count }` or `{ percent, atLeast? }`. */
function parseMaxDelete(text) {
  if (text === undefined) return { ...DEFAULT_MAX_DELETE, flag: false };
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(count)) return { count, flag: true };
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (m && Number(m[1]) <= 100) return { percent: Number(m[1]), flag: true };
  throw new UsageError(`--max-delete must be a count (e.g. 500) or a percentage from 0% to 100% (e.g. 25%), got ${JSON.stringify(text)}`);
}

/** How many deletes `max` allows when `known` users are known to be in the file. */
function deleteLimit(max, known) {
  if (max.count !== undefined) return max.count;
  return Math.max(Math.floor((known * max.percent) / 100), max.atLeast ?? 0);
}

function version() {
  return JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).version;
}

// ---------------------------------------------------------------------------------- CSV ----

const CSV_OPTIONS = { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true };

/** The CSV's bytes, refused unless they are UTF-8 (a BOM is fine). */
function readCsvBytes(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`);
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${basename(path)}:${firstNonUtf8Line(bytes)}: not valid UTF-8; save the CSV as UTF-8 (a BOM is fine)`);
  }
  return bytes;
}

/** The 1-based line holding the first bytes that are not UTF-8 (on the error path only). */
function firstNonUtf8Line(bytes) {
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
 * Calls `onRecord(cells)` for each record of the CSV (arrays of trimmed cells), header first,
 * empty lines skipped, keeping none of them: a million rows are never all in memory at once.
 */
function eachRecord(bytes, path, onRecord, extra = {}) {
  let error;
  try {
    error = csvParser({ ...CSV_OPTIONS, ...extra }).parse(bytes, true, onRecord, () => {});
  } catch (err) {
    error = err;
  }
  if (error === undefined) return;
  if (error instanceof CsvError) throw new UsageError(`${basename(path)}:${/** @type {{ lines?: number }} */ (error).lines ?? "?"}: not valid CSV: ${error.message}`);
  throw error;
}

/** The cells of the records numbered in `wanted` (0 is the header). */
function recordsAt(bytes, path, wanted, extra = {}) {
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
 */
function recordLines(bytes, path) {
  const lines = [];
  let prevEnd = 0;
  let prevEmpty = 0;
  eachRecord(bytes, path, () => {}, {
    on_record: (_record, info) => {
      lines.push(prevEnd + 1 + (info.empty_lines - prevEmpty) + info.comment_lines);
      prevEnd = info.lines;
      prevEmpty = info.empty_lines;
      return undefined;
    },
  });
  return lines;
}

/** Each header name once: with `age,age` a row's second cell would silently replace its first. */
function checkHeader(header) {
  const first = new Map();
  for (const [i, name] of header.entries()) {
    if (first.has(name)) {
      throw new UsageError(`the CSV header names ${JSON.stringify(name)} twice (columns ${first.get(name) + 1} and ${i + 1}); each column needs its own name`);
    }
    first.set(name, i);
  }
}

/** `[{ index, header, key }]` of the columns sent as fields. */
function fieldColumns(header, idIndex, spec) {
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
 */
function columnTypes(columns, schema) {
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

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A cell as a field value: numbers for "number" keys when the text is a number. */
function cellValue(text, number) {
  if (number && NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

const sha256 =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "base64url")
    : (text) => crypto.createHash("sha256").update(text).digest("base64url");

/** 16 characters of the SHA-256 of the JSON of `Object.entries(fields)`: what state files record. */
const fingerprintOf = (entriesJson) => sha256(entriesJson).slice(0, 16);

/**
 * `row(cells)` → `{ fields, fp }`: the fields of the columns (empty cells left out) and their
 * fingerprint. The JSON of `Object.entries(fields)` is written directly, without the entries
 * arrays, unless a key looks like an array index (those come first in `Object.entries`).
 */
function rowReader(columns) {
  for (const c of columns) c.json = JSON.stringify(c.key);
  const direct = columns.every((c) => !/^(?:0|[1-9]\d*)$/.test(c.key));
  return (cells) => {
    const fields = {};
    let json = "[";
    for (const c of columns) {
      const text = cells[c.index] ?? "";
      if (text === "") continue;
      const value = cellValue(text, c.number);
      fields[c.key] = value;
      if (direct) json += `${json.length > 1 ? "," : ""}[${c.json},${typeof value === "number" ? String(value) : JSON.stringify(value)}]`;
    }
    return { fields, fp: fingerprintOf(direct ? `${json}]` : JSON.stringify(Object.entries(fields))) };
  };
}

/**
 * Ids that the SDK's rules may count as one user share a coarse id (their digits without
 * leading zeros); whether they are one user is left to those rules.
 */
const coarseId = (id) => (/^[1-9]\d*$/.test(id) ? id : id.replace(/\D+/g, "").replace(/^0+/, ""));

/** An app user id as a canonical decimal string (after the SDK's rules accepted it). */
const canonicalAppId = (id) => (/^[1-9]\d*$/.test(id) ? id : BigInt(id).toString());

function csvCell(value) {
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One pass over the CSV's rows against the known state: `desired` (id → fingerprint of every
 * row), `adds` (rows new or changed, `{ id, fields, fp }`), `fresh` (how many adds are new ids)
 * and `problems` (`{ i, field, rule, message, duplicateOf? }`, i the row's index).
 *
 * A row whose id and fingerprint are exactly what the known state records was sent and checked
 * before and is not sent now, so it is not checked again; every other row goes through
 * validateCustomerFileUsers, CHECK_CHUNK rows per call. Repeated ids are looked for across the
 * whole CSV: rows sharing a coarse id are checked together afterwards.
 */
function planRows(bytes, opts, header, idIndex, columns, schema, known) {
  const read = rowReader(columns);
  const desired = new Map();
  const adds = [];
  const problems = [];
  // Rows that may be one user: a desired id set twice, and (phones only: written differently, they
  // can still be one number) a coarse id seen twice; rows the rules refused are compared at the end.
  const seen = opts.userType === "phone" ? new Set() : null;
  const refused = [];
  const twins = new Set();
  const keep = (id, fp) => {
    const size = desired.size;
    desired.set(id, fp);
    if (desired.size === size) twins.add(coarseId(id));
  };
  let rowCount = 0;
  let fresh = 0;
  let pending = [];

  const accept = ({ id: raw, fields, fp }) => {
    const id = opts.userType === "app" ? canonicalAppId(raw) : raw;
    keep(id, fp);
    const was = known.get(id);
    if (was === fp) return;
    if (was === undefined || was === UNSURE) fresh += 1;
    adds.push({ id, fields, fp });
  };
  const check = () => {
    if (pending.length === 0) return;
    const users = pending.map((p) => ({ id: p.id, fields: p.fields }));
    const { errors } = validateCustomerFileUsers({ userType: opts.userType, schema, users });
    const bad = new Set();
    for (const e of errors) {
      if (e.rule === "users.duplicate_id") continue; // found across the whole CSV below
      if (!bad.has(e.index)) refused.push(coarseId(pending[e.index].id));
      bad.add(e.index);
      problems.push({ i: pending[e.index].i, field: e.field.replace(/^users\[\d+\]\./, ""), rule: e.rule, message: e.message });
    }
    for (const [k, p] of pending.entries()) if (!bad.has(k)) accept(p);
    pending = [];
  };

  let r = 0;
  eachRecord(bytes, opts.csv, (cells) => {
    if (r++ === 0) return; // the header
    const i = r - 2;
    rowCount += 1;
    if (cells.length !== header.length) {
      problems.push({ i, field: "", rule: "csv.column_count", message: `has ${cells.length} cells; the header has ${header.length}` });
    }
    const id = cells[idIndex] ?? "";
    const { fields, fp } = read(cells);
    if (seen) {
      const coarse = coarseId(id);
      if (seen.has(coarse)) twins.add(coarse);
      else seen.add(coarse);
    }
    if (known.get(id) === fp) {
      keep(id, fp);
      return;
    }
    pending.push({ i, id, fields, fp });
    if (pending.length === CHECK_CHUNK) check();
  });
  check();
  const refusedOnce = new Set();
  for (const coarse of refused) {
    if (desired.has(coarse) || refusedOnce.has(coarse)) twins.add(coarse);
    refusedOnce.add(coarse);
  }
  if (twins.size > 0) problems.push(...duplicates(bytes, opts, idIndex, twins));
  return { rowCount, desired, adds, fresh, problems };
}

/** The rows repeating an earlier row's user, by the SDK's rules (`users.duplicate_id`). */
function duplicates(bytes, opts, idIndex, twins) {
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
  const found = [];
  let batch = [];
  const check = () => {
    const users = batch.map((m) => ({ id: m.id, fields: {} }));
    for (const e of validateCustomerFileUsers({ userType: opts.userType, users }).errors) {
      if (e.rule !== "users.duplicate_id") continue;
      found.push({ i: batch[e.index].i, field: "id", rule: e.rule, message: e.message, duplicateOf: batch[e.duplicateOf].i });
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

/** Writes the rejects file: `line,column,rule,message` and the row's cells, one line per problem. */
function writeRejects(bytes, opts, header, idIndex, columns, problems) {
  const records = recordsAt(bytes, opts.csv, new Set(problems.map((p) => p.i + 1)));
  const lines = recordLines(bytes, opts.csv);
  const lineOf = (i) => lines[i + 1];
  const byKey = new Map(columns.map((c) => [c.key, c.header]));
  problems.sort((a, b) => a.i - b.i);
  const rejects = problems.map((p) => ({
    ...p,
    line: lineOf(p.i),
    column: p.field === "" ? "" : p.field === "id" ? header[idIndex] : (byKey.get(p.field.replace(/^fields\./, "")) ?? p.field),
    message: p.duplicateOf === undefined ? p.message : `is the same user as line ${lineOf(p.duplicateOf)}; each id may appear once`,
  }));
  const out = [["line", "column", "rule", "message", ...header].map(csvCell).join(",")];
  for (const r of rejects) out.push([r.line, r.column, r.rule, r.message, ...records.get(r.i + 1)].map(csvCell).join(","));
  writeAtomically(opts.rejects, `${out.join("\n")}\n`);
  return rejects;
}

// -------------------------------------------------------------------- state and journal ----

/** Writes `content` (a string, or `(write) => void` writing it in parts) to a temporary file, fsyncs, renames. */
function writeAtomically(path, content) {
  const tmp = `${path}.tmp-${process.pid}`;
  writing(path, () => {
    const fd = openSync(tmp, "w");
    try {
      if (typeof content === "string") writeSync(fd, content);
      else content((text) => writeSync(fd, text));
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, path);
    } catch (err) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(tmp, { force: true });
      throw err;
    }
  });
  try {
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}

/** Runs `write`; a file system error (no permission, a full disk) becomes a setup error naming `path`. */
function writing(path, write) {
  try {
    return write();
  } catch (err) {
    if (typeof err?.code === "string" && err.syscall) throw new UsageError(`cannot write ${path}: ${err.code}`);
    throw err;
  }
}

function sameTarget(doc, opts) {
  return doc.channel === opts.channel && doc.fileId === opts.fileId && doc.userType === opts.userType;
}

function damaged(path, what, consequence) {
  return new UsageError(`${path} is damaged: ${what}. Move it away to go on without it (${consequence})`);
}
const LOST_STATE = "every row of the CSV is then sent again, and users no longer in the CSV are not deleted";
const LOST_JOURNAL = "the batches it recorded are then sent again";

const FP_LENGTH = 16;

/**
 * The state file: what is known to be in Kakao's file, id → fingerprint. Version 2 (written
 * now): a JSON line `{"version":2,"channel",…,"users":N}`, then N lines `<id>\t<fingerprint>`.
 * Version 1 (read, never written): one JSON document `{"version":1,…,"users":{id: fp}}`.
 */
function readState(opts) {
  const known = new Map();
  if (!existsSync(opts.state)) return known;
  let text;
  try {
    text = readFileSync(opts.state, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the state file ${opts.state}: ${err.code ?? err.message}`);
  }
  const nl = text.indexOf("\n");
  let doc;
  try {
    doc = JSON.parse(nl < 0 ? text : text.slice(0, nl));
  } catch {
    try {
      doc = JSON.parse(text); // a version 1 file written on several lines
    } catch (err) {
      throw damaged(opts.state, `its first line is not JSON (${err.message})`, LOST_STATE);
    }
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || (doc.version !== 1 && doc.version !== 2)) {
    throw new UsageError(`${opts.state} is not a kakao-talk-channel sync state file`);
  }
  if (!sameTarget(doc, opts)) {
    throw new UsageError(
      `state file ${opts.state} belongs to file ${doc.fileId} of channel ${doc.channel} (${doc.userType} ids), ` +
        `not file ${opts.fileId} of ${opts.channel} (${opts.userType}); pass another --state`,
    );
  }
  if (doc.version === 1) {
    const { users } = doc;
    if (users === null || typeof users !== "object" || Array.isArray(users)) throw damaged(opts.state, `"users" is not an object`, LOST_STATE);
    for (const [id, fp] of Object.entries(users)) {
      if (typeof fp !== "string") throw damaged(opts.state, `the fingerprint of user ${JSON.stringify(id)} is not a string`, LOST_STATE);
      known.set(id, fp);
    }
    return known;
  }
  if (!Number.isSafeInteger(doc.users) || doc.users < 0) throw damaged(opts.state, `"users" is not a count`, LOST_STATE);
  let pos = nl + 1;
  let count = 0;
  while (nl >= 0 && pos < text.length) {
    const end = text.indexOf("\n", pos);
    const line = count + 2;
    if (end < 0) throw damaged(opts.state, `line ${line} is cut short`, LOST_STATE);
    const tab = end - FP_LENGTH - 1;
    if (tab <= pos || text.charCodeAt(tab) !== 9) throw damaged(opts.state, `line ${line} is not "<id><TAB><fingerprint>"`, LOST_STATE);
    known.set(text.slice(pos, tab), text.slice(tab + 1, end));
    count += 1;
    pos = end + 1;
  }
  if (count !== doc.users) throw damaged(opts.state, `it lists ${count} users; its first line says ${doc.users}`, LOST_STATE);
  return known;
}

function writeState(opts, desired) {
  const head = { version: 2, channel: opts.channel, fileId: opts.fileId, userType: opts.userType, syncedAt: new Date().toISOString(), users: desired.size };
  writeAtomically(opts.state, (write) => {
    let chunk = `${JSON.stringify(head)}\n`;
    for (const [id, fp] of desired) {
      chunk += `${id}\t${fp}\n`;
      if (chunk.length >= 1 << 20) {
        write(chunk);
        chunk = "";
      }
    }
    write(chunk);
  });
}

const isStrings = (a) => Array.isArray(a) && a.every((x) => typeof x === "string");

/**
 * The journal: a header line, then one JSON line per batch Kakao confirmed. A line that is not
 * JSON was cut short by a crash while it was written, before its batch counted as confirmed: it
 * is skipped (its batch, if any, is sent again, which is harmless), wherever it is — a journal
 * that an older version extended after a torn line has one in the middle. Returns the entries
 * and what the next append must do first: cut a torn last line (`cutAt`, a byte offset) or end
 * a complete last line that lacks its newline.
 */
function readJournal(opts) {
  const scan = { entries: [], torn: [], header: false, cutAt: null, endLine: false };
  if (!existsSync(opts.journal)) return scan;
  let bytes;
  try {
    bytes = readFileSync(opts.journal);
  } catch (err) {
    throw new UsageError(`cannot read the journal ${opts.journal}: ${err.code ?? err.message}`);
  }
  const lastNl = bytes.lastIndexOf(0x0a);
  const lines = bytes.toString("utf8").split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const last = i === lines.length - 1; // after the last newline: where a crash tears a line
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      scan.torn.push(i + 1);
      if (last) scan.cutAt = lastNl + 1;
      continue;
    }
    if (last) scan.endLine = true;
    if (entry !== null && typeof entry === "object" && "journal" in entry) {
      if (scan.header || scan.entries.length > 0) throw damaged(opts.journal, `line ${i + 1} is a second header`, LOST_JOURNAL);
      if (entry.journal !== 1 || !sameTarget(entry, opts)) {
        throw new UsageError(`journal ${opts.journal} belongs to another file; pass another --state`);
      }
      scan.header = true;
      continue;
    }
    const ok =
      entry?.op === "delete" || entry?.op === "sending"
        ? isStrings(entry.ids)
        : entry?.op === "add" && isStrings(entry.ids) && isStrings(entry.fps) && entry.ids.length === entry.fps.length;
    if (!ok) throw damaged(opts.journal, `line ${i + 1} is not a batch of the sync journal`, LOST_JOURNAL);
    scan.entries.push(entry);
  }
  return scan;
}

/** The known fingerprint of a user that may or may not be in Kakao's file: it matches no row. */
const UNSURE = "";

/**
 * What is known to be in Kakao's file: the state file, then the journal. Its `sending` lines
 * (written before a run sends anything) list the users about to be added or deleted: until a
 * confirmed batch says otherwise, each may or may not be in Kakao's file (a batch in flight
 * during a crash may have been applied), so the next run adds them again if they are in the
 * CSV and deletes them again if not, whatever the CSV became in between.
 */
function loadKnown(opts) {
  const known = readState(opts);
  const journal = readJournal(opts);
  for (const entry of journal.entries) {
    if (entry.op === "add") {
      for (const [j, id] of entry.ids.entries()) known.set(id, entry.fps[j]);
    } else if (entry.op === "delete") {
      for (const id of entry.ids) known.delete(id);
    } else {
      for (const id of entry.ids) known.set(id, UNSURE);
    }
  }
  return { known, journal };
}

/**
 * Append-only: a header line, a `sending` line before each phase (deletes, adds) lists its ids,
 * then one line per confirmed batch; each fsync'd, a batch counts as done once its line is.
 */
class Journal {
  constructor(opts, scan) {
    const fresh = !scan.header && scan.entries.length === 0;
    this.path = opts.journal;
    this.fd = writing(this.path, () => openSync(this.path, fresh ? "w" : "a"));
    if (fresh) {
      this.append({ journal: 1, channel: opts.channel, fileId: opts.fileId, userType: opts.userType });
    } else if (scan.cutAt !== null) {
      // A torn last line: cut it, so that the next entry starts its own line.
      writing(this.path, () => ftruncateSync(this.fd, scan.cutAt));
    } else if (scan.endLine) {
      writing(this.path, () => writeSync(this.fd, "\n"));
    }
  }
  append(entry) {
    writing(this.path, () => {
      writeSync(this.fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(this.fd);
    });
  }
  close() {
    closeSync(this.fd);
  }
}

// ----------------------------------------------------------------------------- progress ----

const int = (n) => Math.round(n).toLocaleString("en-US");
const batchesText = (n) => `${n} ${n === 1 ? "batch" : "batches"}`;

function duration(s) {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, "0")}s`;
}

class Progress {
  constructor(total, enabled) {
    this.total = total;
    this.done = 0;
    this.start = Date.now();
    this.enabled = enabled && total > 0;
    this.tty = Boolean(process.stderr.isTTY);
    this.lastPlain = 0;
    if (this.enabled && this.tty) this.timer = setInterval(() => this.draw(), 250);
  }
  text() {
    const secs = (Date.now() - this.start) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    return `${int(this.done)}/${int(this.total)} rows · ${int(rate)} rows/s · ETA ${duration(eta)}`;
  }
  draw() {
    const width = 30;
    const filled = Math.min(width, Math.floor((this.done / this.total) * width));
    process.stderr.write(`\r\x1b[K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.text()}`);
  }
  add(rows) {
    this.done += rows;
    if (!this.enabled) return;
    if (this.tty) return this.draw();
    const now = Date.now();
    if (now - this.lastPlain >= 2000 || this.done === this.total) {
      this.lastPlain = now;
      process.stderr.write(`progress: ${this.text()}\n`);
    }
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled && this.tty) {
      this.draw();
      process.stderr.write("\n");
    }
  }
}

// ------------------------------------------------------------------------------ sending ----

/**
 * One phase (deletes or adds) through the SDK's own batching: `concurrency` batches in flight,
 * `confirmed(index, result)` for each batch Kakao confirmed (as it settles), and a gentle stop
 * (`stopSignal`: no new batch starts, those in flight finish). Resolves to the failed batches:
 * `[{ index, error }]`, empty when every batch was confirmed; a stop is not a failure. The first
 * failed batch stops the rest gently, as Ctrl-C does.
 */
async function runPhase(call, { concurrency, stop, stopNow, confirmed }) {
  const onBatch = (e) => {
    if (e.error === undefined) confirmed(e.index, e.result);
    // A failed batch stops new batches from starting (those in flight finish): re-run to resume.
    else if (!stop.aborted) stopNow(new Error("a batch failed"));
  };
  try {
    await call({ concurrency, onBatch, stopSignal: stop });
    return [];
  } catch (err) {
    if (err?.name === "BulkOperationError") return err.failed.filter((f) => f.error !== stop.reason).map((f) => ({ index: f.index, error: f.error }));
    if (stop.aborted && err === stop.reason) return [];
    return [{ index: 0, error: err }];
  }
}

const chunk = (items) => Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));

// --------------------------------------------------------------------------------- sync ----

/** The client, with the environment's key and origin; their problems are setup errors. */
function makeClient(key) {
  const baseUrl = process.env.KAKAO_BASE_URL || undefined;
  if (baseUrl !== undefined && !canParse(baseUrl)) throw new UsageError("KAKAO_BASE_URL is not a URL");
  try {
    // The SDK's own log lines only when asked for (KAKAO_TALK_CHANNEL_LOG): the CLI reports itself.
    const logLevel = process.env.KAKAO_TALK_CHANNEL_LOG ? undefined : "off";
    return new TalkChannelClient({ restApiKey: key, logLevel, ...(baseUrl ? { baseUrl } : {}) });
  } catch (err) {
    if (err?.name !== "ValidationError") throw err;
    const name = { restApiKey: "KAKAO_REST_API_KEY", baseUrl: "KAKAO_BASE_URL" }[err.field] ?? err.field;
    const why = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
    const hint = name === "KAKAO_REST_API_KEY" ? " (the key is used exactly as set, never trimmed: remove the stray character, e.g. the newline of the file it came from)" : "";
    throw new UsageError(`${name}: ${why}${hint}`);
  }
}

function canParse(url) {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

async function sync(opts) {
  const started = Date.now();
  const key = process.env.KAKAO_REST_API_KEY;
  if (!key) throw new UsageError("KAKAO_REST_API_KEY is not set (the REST API key is read from the environment only)");
  const client = makeClient(key);

  for (const path of [opts.state, opts.rejects]) {
    if (!existsSync(dirname(path))) throw new UsageError(`the directory of ${path} does not exist`);
  }
  const bytes = readCsvBytes(opts.csv);
  const header = recordsAt(bytes, opts.csv, new Set([0]), { to: 1 }).get(0);
  if (!header) throw new UsageError(`${basename(opts.csv)} is empty: a header row is needed`);
  checkHeader(header);
  const idIndex = opts.idColumn === undefined ? 0 : header.indexOf(opts.idColumn);
  if (idIndex < 0) throw new UsageError(`no id column ${JSON.stringify(opts.idColumn)} in the CSV header (${header.map((h) => JSON.stringify(h)).join(", ")})`);
  const columns = fieldColumns(header, idIndex, opts.columns);

  let list;
  try {
    list = await client.listCustomerFiles({ channelPublicId: opts.channel });
  } catch (err) {
    if (err?.name === "ValidationError") throw new UsageError(err.message);
    // A refusal that a re-run cannot cure (a wrong key, no access, an unknown channel) is a setup error.
    if (err?.name === "KakaoApiError" && !err.retryable) {
      const hint = err.status === 401 || err.status === 403 ? "; check KAKAO_REST_API_KEY (the app's REST API key) and the app's access to the channel" : "";
      throw new UsageError(`listing the customer files of ${opts.channel}: ${err.message}${hint}`);
    }
    process.stderr.write(`kakao-talk-channel: listing the customer files failed: ${err?.message ?? err}\n`);
    return EXIT.failed;
  }
  const file = list.files.find((f) => f.fileId === opts.fileId);
  if (!file) {
    const ids = list.files.map((f) => `${f.fileId} (${f.fileName})`).join(", ") || "none";
    throw new UsageError(`channel ${opts.channel} has no customer file ${opts.fileId}; its files: ${ids}`);
  }
  const schema = file.schema;
  columnTypes(columns, schema);

  // The known state (state file + journal), then the CSV against it, every row through the SDK's rules.
  let { known, journal: scan } = loadKnown(opts);
  if (scan.torn.length > 0) {
    process.stderr.write(
      `kakao-talk-channel: ${opts.journal}: skipping line ${scan.torn.join(", ")}, cut short by a crash while being written ` +
        "(a batch recorded there was not confirmed; it is sent again)\n",
    );
  }
  const { rowCount, desired, adds, fresh, problems } = planRows(bytes, opts, header, idIndex, columns, schema, known);
  if (problems.length > 0) {
    const rejects = writeRejects(bytes, opts, header, idIndex, columns, problems);
    const badRows = new Set(rejects.map((r) => r.i)).size;
    process.stderr.write(`kakao-talk-channel: ${badRows} of ${rowCount} rows rejected; nothing was sent. First errors:\n`);
    for (const r of rejects.slice(0, SHOWN_ERRORS)) {
      process.stderr.write(`  ${basename(opts.csv)}:${r.line}: ${r.column ? `${r.column}: ` : ""}${r.message} [${r.rule}]\n`);
    }
    if (rejects.length > SHOWN_ERRORS) process.stderr.write(`  … and ${rejects.length - SHOWN_ERRORS} more\n`);
    process.stderr.write(`All rejected rows with reasons: ${opts.rejects}\n`);
    return EXIT.rejected;
  }
  if (existsSync(opts.rejects)) rmSync(opts.rejects);

  const knownCount = known.size;
  const deletes = [];
  for (const id of known.keys()) if (!desired.has(id)) deletes.push(id);
  known = undefined;
  checkKnownIds(opts, deletes);
  const addBatches = chunk(adds);
  const deleteBatches = chunk(deletes);
  const unchanged = desired.size - adds.length;
  const target = `file ${opts.fileId} (${file.fileName}) of ${opts.channel}, ${opts.userType} ids`;
  const replayed = scan.entries.filter((e) => e.op !== "sending").length;
  const resumed = replayed > 0 ? ` (resuming: ${replayed} confirmed batches from the journal)` : "";

  // The mass-delete guard: an emptied or truncated export must not empty the file.
  const limit = deleteLimit(opts.maxDelete, knownCount);
  const refusal = deletes.length > limit ? deleteRefusal(opts, deletes, knownCount, limit) : null;

  if (opts.dryRun) {
    process.stdout.write(
      `dry run: ${target}${resumed}\n` +
        `  CSV rows:  ${rowCount}\n` +
        `  add:       ${adds.length} (${fresh} new, ${adds.length - fresh} changed) in ${batchesText(addBatches.length)}\n` +
        `  delete:    ${deletes.length} in ${batchesText(deleteBatches.length)}\n` +
        `  unchanged: ${unchanged}\n` +
        `nothing was sent\n`,
    );
    if (refusal) throw new UsageError(`a real run would refuse: ${refusal}`);
    return EXIT.ok;
  }
  if (refusal) throw new UsageError(refusal);

  // Send: deletes first (a phone written another way is deleted before it is added again),
  // then adds; each batch journaled once Kakao confirmed it.
  const journal = new Journal(opts, scan);
  const progress = new Progress(adds.length + deletes.length, opts.progress);
  let interrupted = false;
  const stopper = new AbortController();
  const onSignal = (signal) => {
    if (interrupted) process.exit(EXIT.interrupted); // a second ^C: every confirmed batch is already journaled
    interrupted = true;
    stopper.abort(new Error(`stopped by ${signal}`));
    progress.stop();
    process.stderr.write(`\nkakao-talk-channel: ${signal}: finishing the batches in flight, then stopping (again to quit now)\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let successCount = 0;
  const sent = { add: 0, delete: 0 };
  const common = { fileId: opts.fileId, channelPublicId: opts.channel, userType: opts.userType };
  const phase = { concurrency: opts.concurrency, stop: stopper.signal, stopNow: (reason) => stopper.abort(reason) };
  const failures = [];

  if (deletes.length > 0) {
    journal.append({ op: "sending", ids: deletes });
    const failed = await runPhase((o) => client.deleteCustomerFileUsers({ ...common, userIds: deletes }, o), {
      ...phase,
      confirmed: (index) => {
        const ids = deleteBatches[index];
        journal.append({ op: "delete", ids });
        sent.delete += 1;
        progress.add(ids.length);
      },
    });
    failures.push(...failed.map((f) => ({ op: "deletes", batch: deleteBatches[f.index], err: f.error })));
  }
  if (failures.length === 0 && !interrupted && adds.length > 0) {
    journal.append({ op: "sending", ids: adds.map((u) => u.id) });
    const users = adds.map((u) => ({ id: u.id, fields: u.fields }));
    const failed = await runPhase((o) => client.addCustomerFileUsers({ ...common, schema, users }, o), {
      ...phase,
      confirmed: (index, result) => {
        const batch = addBatches[index];
        journal.append({ op: "add", ids: batch.map((u) => u.id), fps: batch.map((u) => u.fp) });
        successCount += result.successCount;
        sent.add += 1;
        progress.add(batch.length);
      },
    });
    failures.push(...failed.map((f) => ({ op: "adds", batch: addBatches[f.index], err: f.error })));
  }
  progress.stop();
  journal.close();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);

  const done = `${sent.add} of ${addBatches.length} add batches and ${sent.delete} of ${deleteBatches.length} delete batches confirmed`;
  if (failures.length > 0 || interrupted) {
    for (const f of failures) {
      process.stderr.write(`kakao-talk-channel: a batch of ${f.batch?.length ?? "?"} ${f.op} failed: ${f.err?.message ?? f.err}\n`);
    }
    process.stderr.write(
      `kakao-talk-channel: ${interrupted ? "interrupted" : "stopped"}: ${done}; they are recorded in ${opts.journal}. ` +
        `Re-run the same command to resume: confirmed batches are not sent again.\n`,
    );
    return failures.length > 0 ? EXIT.failed : EXIT.interrupted;
  }

  writeState(opts, desired);
  rmSync(opts.journal, { force: true });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `synced ${target}${resumed}\n` +
      `  CSV rows:  ${rowCount}\n` +
      `  added:     ${adds.length} (${fresh} new, ${adds.length - fresh} changed) in ${batchesText(addBatches.length)}; Kakao counted ${successCount} (it counts only users who added the channel)\n` +
      `  deleted:   ${deletes.length} in ${batchesText(deleteBatches.length)}\n` +
      `  unchanged: ${unchanged}\n` +
      `  state:     ${opts.state}\n` +
      `done in ${secs} s\n`,
  );
  return EXIT.ok;
}

/** The ids about to be deleted come from the state file and journal: the SDK's rules check them first. */
function checkKnownIds(opts, ids) {
  for (let from = 0; from < ids.length; from += CHECK_CHUNK) {
    const users = ids.slice(from, from + CHECK_CHUNK).map((id) => ({ id, fields: {} }));
    const e = validateCustomerFileUsers({ userType: opts.userType, users }).errors.find((x) => x.rule !== "users.duplicate_id");
    if (e) {
      throw damaged(
        `${opts.state} (with its journal)`,
        `it lists ${JSON.stringify(users[e.index].id)} as a user of the file: ${e.message.replace(/^users\[\d+\]\.id: /, "")} [${e.rule}]`,
        LOST_STATE,
      );
    }
  }
}

function deleteRefusal(opts, deletes, known, limit) {
  const share = known > 0 ? ` (${((deletes.length / known) * 100).toFixed(1)}%)` : "";
  const max = opts.maxDelete;
  const rule = max.count !== undefined ? `--max-delete ${max.count}` : max.flag ? `--max-delete ${max.percent}% of ${int(known)}` : `by default 10% of the ${int(known)} users known to be in the file, or 10`;
  const sample = deletes.slice(0, SHOWN_IDS).join(", ") + (deletes.length > SHOWN_IDS ? `, … and ${int(deletes.length - SHOWN_IDS)} more` : "");
  return (
    `refusing to delete ${int(deletes.length)} of the ${int(known)} users known to be in file ${opts.fileId}${share}: ` +
    `more than the ${int(limit)} allowed (${rule}); nothing was sent. Ids: ${sample}. ` +
    `If the CSV is right, re-run with --max-delete ${deletes.length} (or a percentage, e.g. --max-delete 100%).`
  );
}

try {
  const opts = parseFlags(process.argv.slice(2));
  if (opts.usage) {
    process.stderr.write(HELP);
    process.exit(EXIT.usage);
  }
  if (opts.help) {
    process.stdout.write(HELP);
    process.exit(EXIT.ok);
  }
  if (opts.version) {
    process.stdout.write(`${version()}\n`);
    process.exit(EXIT.ok);
  }
  process.exitCode = await sync(opts);
} catch (err) {
  if (err instanceof UsageError) fail(EXIT.usage, err.message);
  fail(EXIT.failed, `unexpected error: ${err?.stack ?? err}`);
}

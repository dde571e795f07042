#!/usr/bin/env node
// `kakao-talk-channel sync`: makes a Kakao customer file hold exactly the rows of a CSV.
// Node only. The rules are the SDK's own (validateCustomerFileUsers, compiled from Rust); this
// file reads the CSV, keeps the state and journal, sends batches and draws progress.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseCsv } from "./vendor/csv-parse/sync.js";
import { TalkChannelClient, validateCustomerFileUsers } from "./node.js";

const BATCH = 2000;
const SHOWN_ERRORS = 10;
const EXIT = { ok: 0, rejected: 1, usage: 2, failed: 3, interrupted: 130 };

const HELP = `Usage: kakao-talk-channel sync --csv FILE --channel ID --file-id N [options]

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
  --state FILE         state of the file as of the last run (default: <csv>.kakao-sync.json);
                       the journal is FILE.journal
  --rejects FILE       where rejected rows go (default: <csv>.rejects.csv)
  --concurrency N      batches of 2,000 in flight at once, 1-16 (default 4)
  --dry-run            print the plan (adds, deletes, batches) and send nothing
  --no-progress        no progress output on stderr
  -h, --help           this text

Environment:
  KAKAO_REST_API_KEY   the REST API key (required; never taken from a flag)
  KAKAO_BASE_URL       another Kakao origin, e.g. the emulator's (optional)

Exit codes: 0 done (or dry run), 1 rows rejected (nothing sent, see the rejects file),
2 usage or setup error, 3 a Kakao call failed (re-run to resume), 130 interrupted (re-run to resume).
`;

class UsageError extends Error {}

function fail(code, message) {
  process.stderr.write(`kakao-talk-channel: ${message}\n`);
  process.exit(code);
}

function parseFlags(argv) {
  if (argv.length === 0 || argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help") return { help: true };
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
    state,
    journal: `${state}.journal`,
    rejects: resolve(values.rejects ?? `${csv}.rejects.csv`),
    concurrency,
    dryRun: values["dry-run"],
    progress: !values["no-progress"],
  };
}

// ---------------------------------------------------------------------------------- CSV ----

/** Records with the line each starts on (csv-parse reports the line each ends on). */
function readCsv(path) {
  let text;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`);
  }
  let parsed;
  try {
    parsed = parseCsv(text, { bom: true, info: true, trim: true, skip_empty_lines: true, relax_column_count: true });
  } catch (err) {
    throw new UsageError(`${basename(path)}:${err.lines ?? "?"}: not valid CSV: ${err.message}`);
  }
  let prevEnd = 0;
  let prevEmpty = 0;
  return parsed.map(({ record, info }) => {
    const line = prevEnd + 1 + (info.empty_lines - prevEmpty) + info.comment_lines;
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
    return { line, cells: record };
  });
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
  return spec
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
  if (e) throw new UsageError(`columns: ${e.field.replace(/^users\[0\]\.fields\./, "")}: ${e.message} [${e.rule}]`);
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

function fingerprint(fields) {
  return createHash("sha256").update(JSON.stringify(Object.entries(fields))).digest("base64url").slice(0, 16);
}

function csvCell(value) {
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

// -------------------------------------------------------------------- state and journal ----

function writeAtomically(path, text) {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
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

function sameTarget(doc, opts) {
  return doc.channel === opts.channel && doc.fileId === opts.fileId && doc.userType === opts.userType;
}

/** What is known to be in Kakao's file: the state file, then every confirmed batch of the journal. */
function loadKnown(opts) {
  const known = new Map();
  if (existsSync(opts.state)) {
    let doc;
    try {
      doc = JSON.parse(readFileSync(opts.state, "utf8"));
    } catch (err) {
      throw new UsageError(`state file ${opts.state} is not readable JSON: ${err.message}`);
    }
    if (doc?.version !== 1 || typeof doc.users !== "object" || doc.users === null) {
      throw new UsageError(`${opts.state} is not a kakao-talk-channel sync state file`);
    }
    if (!sameTarget(doc, opts)) {
      throw new UsageError(
        `state file ${opts.state} belongs to file ${doc.fileId} of channel ${doc.channel} (${doc.userType} ids), ` +
          `not file ${opts.fileId} of ${opts.channel} (${opts.userType}); pass another --state`,
      );
    }
    for (const [id, fp] of Object.entries(doc.users)) known.set(id, fp);
  }
  let replayed = 0;
  if (existsSync(opts.journal)) {
    const lines = readFileSync(opts.journal, "utf8").split("\n");
    for (const [i, line] of lines.entries()) {
      if (line.trim() === "") continue;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        // Only the last line can be torn (a crash while writing it): that batch is re-sent.
        if (lines.slice(i + 1).every((l) => l.trim() === "")) break;
        throw new UsageError(`journal ${opts.journal}: line ${i + 1} is not JSON`);
      }
      if (i === 0) {
        if (entry.journal !== 1 || !sameTarget(entry, opts)) {
          throw new UsageError(`journal ${opts.journal} belongs to another file; pass another --state`);
        }
        continue;
      }
      if (entry.op === "add") entry.ids.forEach((id, j) => known.set(id, entry.fps[j]));
      else if (entry.op === "delete") for (const id of entry.ids) known.delete(id);
      else throw new UsageError(`journal ${opts.journal}: line ${i + 1}: unknown op`);
      replayed += 1;
    }
  }
  return { known, replayed };
}

/** Append-only, one JSON line per confirmed batch, fsync'd before the batch counts as done. */
class Journal {
  constructor(opts) {
    const fresh = !existsSync(opts.journal) || readFileSync(opts.journal, "utf8").trim() === "";
    this.path = opts.journal;
    this.fd = openSync(opts.journal, fresh ? "w" : "a");
    if (fresh) {
      this.append({ journal: 1, channel: opts.channel, fileId: opts.fileId, userType: opts.userType });
    } else {
      // A torn last line from a crash: end it, so the next entry starts on its own line.
      const text = readFileSync(opts.journal, "utf8");
      if (!text.endsWith("\n")) writeSync(this.fd, "\n");
    }
  }
  append(entry) {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
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

// --------------------------------------------------------------------------------- sync ----

async function sync(opts) {
  const started = Date.now();
  const key = process.env.KAKAO_REST_API_KEY;
  if (!key) throw new UsageError("KAKAO_REST_API_KEY is not set (the REST API key is read from the environment only)");

  for (const path of [opts.state, opts.rejects]) {
    if (!existsSync(dirname(path))) throw new UsageError(`the directory of ${path} does not exist`);
  }
  const records = readCsv(opts.csv);
  if (records.length === 0) throw new UsageError(`${basename(opts.csv)} is empty: a header row is needed`);
  const [{ cells: header }, ...rows] = records;
  const idIndex = opts.idColumn === undefined ? 0 : header.indexOf(opts.idColumn);
  if (idIndex < 0) throw new UsageError(`no id column ${JSON.stringify(opts.idColumn)} in the CSV header (${header.map((h) => JSON.stringify(h)).join(", ")})`);
  const columns = fieldColumns(header, idIndex, opts.columns);

  const client = new TalkChannelClient({ restApiKey: key, ...(process.env.KAKAO_BASE_URL ? { baseUrl: process.env.KAKAO_BASE_URL } : {}) });
  let list;
  try {
    list = await client.listCustomerFiles({ channelPublicId: opts.channel });
  } catch (err) {
    if (err?.name === "ValidationError") throw new UsageError(err.message);
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

  // Every row through the SDK's rules, plus the one rule of the CSV's shape.
  const users = rows.map(({ cells }) => {
    const fields = {};
    for (const c of columns) {
      const text = cells[c.index] ?? "";
      if (text !== "") fields[c.key] = cellValue(text, c.number);
    }
    return { id: cells[idIndex] ?? "", fields };
  });
  const { errors } = validateCustomerFileUsers({ userType: opts.userType, schema, users });
  const byKey = new Map(columns.map((c) => [c.key, c.header]));
  const rejects = [];
  for (const [i, { cells, line }] of rows.entries()) {
    if (cells.length !== header.length) {
      rejects.push({ i, line, column: "", rule: "csv.column_count", message: `has ${cells.length} cells; the header has ${header.length}` });
    }
  }
  for (const e of errors) {
    const { line } = rows[e.index];
    const fieldKey = e.field.replace(/^users\[\d+\]\./, "");
    const column = fieldKey === "id" ? header[idIndex] : byKey.get(fieldKey.replace(/^fields\./, "")) ?? fieldKey;
    const message = e.duplicateOf === undefined ? e.message : `is the same user as line ${rows[e.duplicateOf].line}; each id may appear once`;
    rejects.push({ i: e.index, line, column, rule: e.rule, message });
  }
  if (rejects.length > 0) {
    rejects.sort((a, b) => a.i - b.i);
    const out = [["line", "column", "rule", "message", ...header].map(csvCell).join(",")];
    for (const r of rejects) out.push([r.line, r.column, r.rule, r.message, ...rows[r.i].cells].map(csvCell).join(","));
    writeAtomically(opts.rejects, `${out.join("\n")}\n`);
    const badRows = new Set(rejects.map((r) => r.i)).size;
    process.stderr.write(`kakao-talk-channel: ${badRows} of ${rows.length} rows rejected; nothing was sent. First errors:\n`);
    for (const r of rejects.slice(0, SHOWN_ERRORS)) {
      process.stderr.write(`  ${basename(opts.csv)}:${r.line}: ${r.column ? `${r.column}: ` : ""}${r.message} [${r.rule}]\n`);
    }
    if (rejects.length > SHOWN_ERRORS) process.stderr.write(`  … and ${rejects.length - SHOWN_ERRORS} more\n`);
    process.stderr.write(`All rejected rows with reasons: ${opts.rejects}\n`);
    return EXIT.rejected;
  }
  if (existsSync(opts.rejects)) rmSync(opts.rejects);

  // The desired state (the CSV) against the known state (state file + journal).
  const desired = new Map();
  const rowOf = new Map();
  for (const u of users) {
    const id = opts.userType === "app" ? BigInt(u.id).toString() : u.id;
    desired.set(id, fingerprint(u.fields));
    rowOf.set(id, u.fields);
  }
  const { known, replayed } = loadKnown(opts);
  const adds = [];
  let fresh = 0;
  for (const [id, fp] of desired) {
    if (known.get(id) === fp) continue;
    if (!known.has(id)) fresh += 1;
    adds.push(id);
  }
  const deletes = [...known.keys()].filter((id) => !desired.has(id));
  const chunk = (ids) => Array.from({ length: Math.ceil(ids.length / BATCH) }, (_, i) => ids.slice(i * BATCH, (i + 1) * BATCH));
  const addBatches = chunk(adds);
  const deleteBatches = chunk(deletes);
  const unchanged = desired.size - adds.length;
  const target = `file ${opts.fileId} (${file.fileName}) of ${opts.channel}, ${opts.userType} ids`;
  const resumed = replayed > 0 ? ` (resuming: ${replayed} confirmed batches from the journal)` : "";

  if (opts.dryRun) {
    process.stdout.write(
      `dry run: ${target}${resumed}\n` +
        `  CSV rows:  ${rows.length}\n` +
        `  add:       ${adds.length} (${fresh} new, ${adds.length - fresh} changed) in ${batchesText(addBatches.length)}\n` +
        `  delete:    ${deletes.length} in ${batchesText(deleteBatches.length)}\n` +
        `  unchanged: ${unchanged}\n` +
        `nothing was sent\n`,
    );
    return EXIT.ok;
  }

  // Send: deletes first (a phone written another way is deleted before it is added again),
  // then adds; each batch journaled once Kakao confirmed it.
  const journal = new Journal(opts);
  const progress = new Progress(adds.length + deletes.length, opts.progress);
  let stopping = false;
  let interrupted = false;
  const failures = [];
  const onSignal = (signal) => {
    if (interrupted) process.exit(EXIT.interrupted); // a second ^C: every confirmed batch is already journaled
    interrupted = true;
    stopping = true;
    progress.stop();
    process.stderr.write(`\nkakao-talk-channel: ${signal}: finishing the batches in flight, then stopping (again to quit now)\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let successCount = 0;
  const sent = { add: 0, delete: 0 };

  async function runAll(op, batches) {
    let next = 0;
    const worker = async () => {
      while (!stopping && next < batches.length) {
        const ids = batches[next++];
        try {
          if (op === "add") {
            const r = await client.addCustomerFileUsers({
              fileId: opts.fileId,
              channelPublicId: opts.channel,
              userType: opts.userType,
              schema,
              users: ids.map((id) => ({ id, fields: rowOf.get(id) })),
            });
            successCount += r.successCount;
            const fps = ids.map((id) => desired.get(id));
            journal.append({ op, ids, fps });
            ids.forEach((id, j) => known.set(id, fps[j]));
          } else {
            await client.deleteCustomerFileUsers({ fileId: opts.fileId, channelPublicId: opts.channel, userType: opts.userType, userIds: ids });
            journal.append({ op, ids });
            for (const id of ids) known.delete(id);
          }
          sent[op] += 1;
          progress.add(ids.length);
        } catch (err) {
          failures.push({ op, size: ids.length, err });
          stopping = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, batches.length) }, worker));
  }

  await runAll("delete", deleteBatches);
  await runAll("add", addBatches);
  progress.stop();
  journal.close();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);

  const done = `${sent.add} of ${addBatches.length} add batches and ${sent.delete} of ${deleteBatches.length} delete batches confirmed`;
  if (failures.length > 0 || interrupted) {
    for (const f of failures) {
      process.stderr.write(`kakao-talk-channel: a batch of ${f.size} ${f.op === "add" ? "adds" : "deletes"} failed: ${f.err?.message ?? f.err}\n`);
    }
    process.stderr.write(
      `kakao-talk-channel: ${interrupted ? "interrupted" : "stopped"}: ${done}; they are recorded in ${opts.journal}. ` +
        `Re-run the same command to resume: confirmed batches are not sent again.\n`,
    );
    return failures.length > 0 ? EXIT.failed : EXIT.interrupted;
  }

  writeAtomically(
    opts.state,
    `${JSON.stringify({ version: 1, channel: opts.channel, fileId: opts.fileId, userType: opts.userType, syncedAt: new Date().toISOString(), users: Object.fromEntries(known) })}\n`,
  );
  rmSync(opts.journal, { force: true });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `synced ${target}${resumed}\n` +
      `  CSV rows:  ${rows.length}\n` +
      `  added:     ${adds.length} (${fresh} new, ${adds.length - fresh} changed) in ${batchesText(addBatches.length)}; Kakao counted ${successCount} (it counts only users who added the channel)\n` +
      `  deleted:   ${deletes.length} in ${batchesText(deleteBatches.length)}\n` +
      `  unchanged: ${unchanged}\n` +
      `  state:     ${opts.state}\n` +
      `done in ${secs} s\n`,
  );
  return EXIT.ok;
}

try {
  const opts = parseFlags(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(HELP);
    process.exit(EXIT.ok);
  }
  process.exitCode = await sync(opts);
} catch (err) {
  if (err instanceof UsageError) fail(EXIT.usage, err.message);
  fail(EXIT.failed, `unexpected error: ${err?.stack ?? err}`);
}

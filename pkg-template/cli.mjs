#!/usr/bin/env node
// `kakao-talk-channel sync`: makes a Kakao customer file hold exactly the rows of a CSV.
// Node only. The rules are the SDK's own (validateCustomerFileUsers, compiled from Rust); this
// file runs a sync (cli/flags.mjs reads the command line); cli/csv.mjs reads the CSV (cli/fields.mjs
// makes its rows' fields and fingerprints), cli/state.mjs keeps the state file and the journal
// (cli/idtable.mjs their id → fingerprint tables), cli/phase.mjs sends the batches (one SDK call
// each, at most --concurrency in flight), cli/progress.mjs draws progress.
import { existsSync, rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import { AddRows, checkHeader, columnTypes, fieldColumns, lineCount, planRows, readCsvBytes, recordsAt } from "./cli/csv.mjs";
import { writeRejects } from "./cli/rejects.mjs";
import { Journal, LOST_STATE, adoptLegacyState, damaged, loadKnown, makeStateDir, writeState } from "./cli/state.mjs";
import { acquireLock } from "./cli/lock.mjs";
import { Progress, batchesText, int } from "./cli/progress.mjs";
import { BATCH, CHECK_CHUNK, SHOWN_ERRORS, SHOWN_IDS, TalkChannelClient, UsageError, validateCustomerFileUsers } from "./cli/common.mjs";
import { batchCount, batchOf, runPhase } from "./cli/phase.mjs";
import { HELP, deleteLimit, parseFlags, version } from "./cli/flags.mjs";

/**
 * @import { KakaoApiError, TalkChannelClient as Client, ValidationError } from "./index.js"
 * @import { MaxDelete, SyncOptions } from "./cli/common.mjs"
 * @import { JournalEntry, Sending } from "./cli/state.mjs"
 */

/** The exit codes; `SIGINT`, `SIGTERM`: interrupted by that signal. */
const EXIT = { ok: 0, rejected: 1, usage: 2, failed: 3, stateWrite: 4, SIGINT: 130, SIGTERM: 143 };

/**
 * @param {number} code
 * @param {string} message
 * @returns {never}
 */
function fail(code, message) {
  process.stderr.write(`kakao-talk-channel: ${message}\n`);
  process.exit(code);
}

// --------------------------------------------------------------------------------- sync ----

/**
 * The client, with the environment's key and origin; their problems are setup errors.
 * @param {string} key
 * @returns {Client}
 */
function makeClient(key) {
  const baseUrl = process.env.KAKAO_BASE_URL || undefined;
  if (baseUrl !== undefined && !canParse(baseUrl)) throw new UsageError("KAKAO_BASE_URL is not a URL");
  try {
    // The SDK's own log lines only when asked for (KAKAO_TALK_CHANNEL_LOG): the CLI reports itself.
    const logLevel = process.env.KAKAO_TALK_CHANNEL_LOG ? undefined : "off";
    return new TalkChannelClient({ restApiKey: key, logLevel, ...(baseUrl ? { baseUrl } : {}) });
  } catch (thrown) {
    const err = /** @type {ValidationError} */ (thrown); // when its name says so (checked first)
    if (err?.name !== "ValidationError") throw err;
    const name = /** @type {Record<string, string>} */ ({ restApiKey: "KAKAO_REST_API_KEY", baseUrl: "KAKAO_BASE_URL" })[err.field] ?? err.field;
    const why = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
    const hint = name === "KAKAO_REST_API_KEY" ? " (the key is used exactly as set, never trimmed: remove the stray character, e.g. the newline of the file it came from)" : "";
    throw new UsageError(`${name}: ${why}${hint}`);
  }
}

/** @param {string} url */
function canParse(url) {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * The channel's customer files, or null after printing a failure a re-run may cure (exit 3).
 * @param {Client} client
 * @param {string} channel
 */
async function listFiles(client, channel) {
  try {
    return await client.listCustomerFiles({ channelPublicId: channel });
  } catch (thrown) {
    // Any thrown value; its `retryable` and `status` are read once its name says KakaoApiError.
    const err = /** @type {Partial<Pick<KakaoApiError, "retryable" | "status">> & Error | undefined} */ (thrown);
    if (err?.name === "ValidationError") throw new UsageError(err.message);
    // A refusal that a re-run cannot cure (a wrong key, no access, an unknown channel) is a setup error.
    if (err?.name === "KakaoApiError" && !err.retryable) {
      const hint = err.status === 401 || err.status === 403 ? "; check KAKAO_REST_API_KEY (the app's REST API key) and the app's access to the channel" : "";
      throw new UsageError(`listing the customer files of ${channel}: ${err.message}${hint}`);
    }
    process.stderr.write(`kakao-talk-channel: listing the customer files failed: ${err?.message ?? err}\n`);
    return null;
  }
}

function keyFromEnv() {
  const key = process.env.KAKAO_REST_API_KEY;
  if (!key) throw new UsageError("KAKAO_REST_API_KEY is not set (the REST API key is read from the environment only)");
  return key;
}

/**
 * `kakao-talk-channel files`: the channel's customer files, one tab-separated line each, after a header.
 * @param {{ channel: string }} opts
 */
async function files(opts) {
  const list = await listFiles(makeClient(keyFromEnv()), opts.channel);
  if (list === null) return EXIT.failed;
  const lines = ["file_id\tstatus\tupdated_at\tname\tkeys"];
  for (const f of list.files) {
    const updated = f.updatedAt ? f.updatedAt.toISOString() : "";
    lines.push([f.fileId, f.status, updated, f.fileName, Object.keys(f.schema).join(",")].join("\t"));
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

/** SIGINT/SIGTERM: until sending starts (and after), quit at once; the lock goes with the `exit` handler. */
/** @type {(signal: "SIGINT" | "SIGTERM") => void} */
const quitNow = (signal) => process.exit(EXIT[signal]);
let onSignal = quitNow;

/** @param {SyncOptions} opts */
async function sync(opts) {
  const started = Date.now();
  const client = makeClient(keyFromEnv());

  for (const path of opts.stateFlag ? [opts.state, opts.rejects] : [opts.rejects]) {
    if (!existsSync(dirname(path))) throw new UsageError(`the directory of ${path} does not exist`);
  }
  const bytes = readCsvBytes(opts.csv);
  const header = recordsAt(bytes, opts.csv, new Set([0]), { to: 1 }).get(0);
  if (!header) throw new UsageError(`${basename(opts.csv)} is empty: a header row is needed`);
  checkHeader(header);
  // A CSV saved with another delimiter reads as one column: say so, not "bad id" on every row.
  const delimiter = header.length === 1 ? [";", "\t", "|"].find((c) => header[0].includes(c)) : undefined;
  if (delimiter !== undefined) {
    const name = delimiter === "\t" ? "a tab" : `"${delimiter}"`;
    throw new UsageError(`the CSV header is one column, ${JSON.stringify(header[0])}: the delimiter looks like ${name}, not a comma; save the CSV comma-separated`);
  }
  const idIndex = opts.idColumn === undefined ? 0 : header.indexOf(opts.idColumn);
  if (idIndex < 0) throw new UsageError(`no id column ${JSON.stringify(opts.idColumn)} in the CSV header (${header.map((h) => JSON.stringify(h)).join(", ")})`);
  const columns = fieldColumns(header, idIndex, opts.columns);

  // One run at a time per state: a second run would diff against a state the first is changing.
  makeStateDir(opts);
  const release = acquireLock(opts.state, { forceUnlock: opts.forceUnlock });
  process.on("exit", release);
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => onSignal(signal));
  const note = adoptLegacyState(opts);
  if (note) process.stderr.write(`kakao-talk-channel: ${note}\n`);

  const list = await listFiles(client, opts.channel);
  if (list === null) return EXIT.failed;
  const file = list.files.find((f) => f.fileId === opts.fileId);
  if (!file) {
    const ids = list.files.map((f) => `${f.fileId} (${f.fileName})`).join(", ") || "none";
    throw new UsageError(`channel ${opts.channel} has no customer file ${opts.fileId}; its files: ${ids} (kakao-talk-channel files --channel ${opts.channel} lists them)`);
  }
  const schema = file.schema;
  columnTypes(columns, schema);

  // The known state (state file + journal), then the CSV against it, every row through the SDK's rules.
  /** @type {{ known: import("./cli/idtable.mjs").IdTable | undefined; journal: import("./cli/state.mjs").JournalScan }} */
  let { known, journal: scan } = loadKnown(opts);
  const stateless = known.size === 0 && scan.entries.length === 0 && !existsSync(opts.state);
  if (scan.torn.length > 0) {
    process.stderr.write(
      `kakao-talk-channel: ${opts.journal}: skipping line ${scan.torn.join(", ")}, cut short by a crash while being written ` +
        "(a batch recorded there was not confirmed; it is sent again)\n",
    );
  }
  // A large CSV takes seconds to check: progress once the check has run for a second.
  // Its total: the lines after the header (a last newline ends a line; quoted line breaks make
  // it an estimate, corrected when the check ends).
  const allLines = lineCount(bytes);
  const lines = allLines - (bytes.at(-1) === 0x0a ? 1 : 0);
  const checking = new Progress(Math.max(0, lines - 1), opts.progress, { label: "checking", quietMs: 1000 });
  const { rowCount, desired, adds, fresh, problems, fast } = planRows(bytes, opts, header, idIndex, columns, schema, known, checking, allLines);
  checking.stop();
  if (problems.length > 0) {
    const rejects = writeRejects(bytes, opts, header, idIndex, columns, problems);
    const badRows = new Set(rejects.map((r) => r.i)).size;
    process.stderr.write(`kakao-talk-channel: ${int(badRows)} of ${int(rowCount)} rows rejected; nothing was sent. First errors:\n`);
    for (const r of rejects.slice(0, SHOWN_ERRORS)) {
      process.stderr.write(`  ${basename(opts.csv)}:${r.line}: ${r.column ? `${r.column}: ` : ""}${r.message} [${r.rule}]\n`);
    }
    if (rejects.length > SHOWN_ERRORS) process.stderr.write(`  … and ${int(rejects.length - SHOWN_ERRORS)} more\n`);
    process.stderr.write(`All rejected rows with reasons: ${opts.rejects}\n`);
    return EXIT.rejected;
  }
  if (existsSync(opts.rejects)) {
    try {
      rmSync(opts.rejects);
    } catch (thrown) {
      const err = /** @type {NodeJS.ErrnoException} */ (thrown);
      throw new UsageError(`cannot remove the rejects file of an earlier run, ${opts.rejects}: ${err.code ?? err.message} (pass --rejects FILE, a path this run can write)`);
    }
  }

  if (stateless) {
    process.stderr.write(
      `kakao-talk-channel: no state of file ${opts.fileId} (${opts.channel}, ${opts.userType} ids) at ${opts.state}: every row is added and no user is deleted ` +
        "(right for a first sync; if earlier runs kept their state elsewhere, pass that --state-dir or --state)\n",
    );
  }
  const knownCount = known.size;
  const deletes = known.missingFrom(desired);
  known = undefined;
  checkKnownIds(opts, deletes);
  const addCount = adds.entries.length;
  const addBatches = batchCount(addCount);
  const deleteBatches = batchCount(deletes.length);
  const unchanged = desired.size - addCount;
  const target = `file ${opts.fileId} (${file.fileName}) of ${opts.channel}, ${opts.userType} ids`;
  const replayed = scan.entries.filter((e) => e.op !== "sending").length;
  const resumed = replayed > 0 ? ` (resuming: ${replayed} confirmed batches from the journal)` : "";

  // The mass-delete guard: an emptied or truncated export must not empty the file.
  const limit = deleteLimit(opts.maxDelete, knownCount);
  const refusal = deletes.length > limit ? deleteRefusal(opts, deletes, knownCount, limit) : null;

  if (opts.dryRun) {
    process.stdout.write(
      `dry run: ${target}${resumed}\n` +
        `  CSV rows:  ${int(rowCount)}\n` +
        `  add:       ${int(addCount)} (${int(fresh)} new, ${int(addCount - fresh)} changed) in ${batchesText(addBatches)}\n` +
        `  delete:    ${int(deletes.length)} in ${batchesText(deleteBatches)}\n` +
        `  unchanged: ${int(unchanged)}\n` +
        `nothing was sent\n`,
    );
    if (refusal) throw new UsageError(`a real run would refuse: ${refusal}`);
    return EXIT.ok;
  }
  if (refusal) throw new UsageError(refusal);

  // Send: deletes first (a phone written another way is deleted before it is added again),
  // then adds; each batch journaled once Kakao confirmed it. The journal's header is written
  // before anything is sent: if that fails, nothing was sent (exit 2).
  const journal = new Journal(opts, scan);
  const progress = new Progress(addCount + deletes.length, opts.progress);
  /** @type {"SIGINT" | "SIGTERM" | null} */
  let interrupted = null;
  const stopper = new AbortController();
  onSignal = (signal) => {
    if (interrupted) process.exit(EXIT[signal]); // a second ^C: every confirmed batch is already journaled
    interrupted = signal;
    stopper.abort(new Error(`stopped by ${signal}`));
    progress.stop();
    process.stderr.write(`\nkakao-talk-channel: ${signal}: finishing the batches in flight, then stopping (again to quit now)\n`);
  };
  let successCount = 0;
  const sent = { add: 0, delete: 0 };
  const common = { fileId: opts.fileId, channelPublicId: opts.channel, userType: opts.userType };
  const phase = { concurrency: opts.concurrency, stop: stopper.signal, stopNow: /** @param {Error} reason */ (reason) => stopper.abort(reason) };
  /** @type {{ op: string; size: number; err: Error | undefined }[]} */
  const failures = [];
  // A journal line that cannot be written (a full disk, an I/O error) stops new batches at once:
  // what Kakao confirmed from then on is not on disk, so the run must not go on sending.
  /** @type {Error | null} */
  let writeError = null;
  let unrecorded = 0;
  journal.onError = (err) => {
    writeError ??= err;
    if (!stopper.signal.aborted) stopper.abort(new Error("a journal write failed"));
  };
  /** @param {Extract<JournalEntry, { op: "delete" }> | { op: "add"; ids: string[]; fpsJson: Buffer } | Sending} entry */
  const record = (entry) => {
    if (writeError === null) {
      try {
        if (entry.op === "sending") journal.appendSending(entry);
        else if (entry.op === "add") journal.appendAdd(entry.ids, entry.fpsJson);
        else journal.appendBatch(entry);
        return true;
      } catch (err) {
        writeError = /** @type {Error} */ (err);
        if (!stopper.signal.aborted) stopper.abort(new Error("a journal write failed"));
      }
    }
    if (entry.op !== "sending") unrecorded += 1;
    return false;
  };

  if (deletes.length > 0) {
    journal.append({ op: "sending", ids: deletes }); // fails before anything is sent: exit 2
    const failed = await runPhase(deleteBatches, (index) => client.deleteCustomerFileUsers({ ...common, userIds: batchOf(deletes, index) }), {
      ...phase,
      confirmed: (index) => {
        const ids = batchOf(deletes, index);
        sent.delete += 1;
        record({ op: "delete", ids });
        progress.add(ids.length);
      },
    });
    failures.push(...failed.map((f) => ({ op: "deletes", size: batchOf(deletes, f.index).length, err: /** @type {Error | undefined} */ (f.error) })));
  }
  if (failures.length === 0 && !interrupted && writeError === null && addCount > 0) {
    // Written id by id: a million ids are not made at once, nor kept through the phase.
    /** @type {() => Sending} */
    const sending = () => ({ op: "sending", writeIds: (write) => desired.writeIdsJson(adds.entries, write) });
    // Without deletes this is the first line of the run: if it fails, nothing was sent (exit 2).
    if (deletes.length === 0) journal.appendSending(sending());
    if (deletes.length === 0 || record(sending())) {
      // Batches start in order, so each takes the next users of the second pass over the CSV.
      const rows = new AddRows(bytes, { idIndex, userType: opts.userType }, columns, desired, adds, fast);
      // The ids of the batches in flight, for their journal lines (not made again from the table).
      /** @type {Map<number, string[]>} */
      const inFlight = new Map();
      /** @param {number} index */
      const send = (index) => {
        const users = rows.take(BATCH);
        inFlight.set(index, users.map((u) => u.id));
        return client.addCustomerFileUsers({ ...common, schema, users });
      };
      const failed = await runPhase(addBatches, send, {
        ...phase,
        confirmed: (index, result) => {
          const ids = inFlight.get(index) ?? [];
          inFlight.delete(index);
          successCount += result.successCount;
          sent.add += 1;
          record({ op: "add", ids, fpsJson: desired.fpsJson(adds.entries.subarray(index * BATCH, (index + 1) * BATCH)) });
          progress.add(ids.length);
        },
      });
      failures.push(...failed.map((f) => ({ op: "adds", size: batchOf(adds.entries, f.index).length, err: /** @type {Error | undefined} */ (f.error) })));
    }
  }
  progress.stop();
  try {
    await journal.synced();
  } catch (err) {
    writeError ??= /** @type {Error} */ (err);
  }
  try {
    journal.close();
  } catch (err) {
    writeError ??= /** @type {Error} */ (err);
  }
  onSignal = quitNow;

  const done = `${sent.add} of ${addBatches} add batches and ${sent.delete} of ${deleteBatches} delete batches confirmed`;
  if (writeError !== null) {
    for (const f of failures) process.stderr.write(`kakao-talk-channel: a batch of ${f.size} ${f.op} failed: ${f.err?.message ?? f.err}\n`);
    process.stderr.write(
      `kakao-talk-channel: ${writeError.message}: stopped, no new batch was started; ${done} by Kakao, ` +
        `${unrecorded} of them not recorded in ${opts.journal}. Make the journal writable (e.g. free disk space) and re-run the same command: ` +
        "it reconciles — the users of the unrecorded batches and of any batch in flight are sent again (harmless), nothing is lost.\n",
    );
    return EXIT.stateWrite;
  }
  if (failures.length > 0 || interrupted) {
    for (const f of failures) {
      process.stderr.write(`kakao-talk-channel: a batch of ${f.size} ${f.op} failed: ${f.err?.message ?? f.err}\n`);
    }
    process.stderr.write(
      `kakao-talk-channel: ${interrupted ? "interrupted" : "stopped"}: ${done}; they are recorded in ${opts.journal}. ` +
        `Re-run the same command to resume: confirmed batches are not sent again.\n`,
    );
    return failures.length > 0 ? EXIT.failed : EXIT[interrupted ?? "SIGINT"];
  }

  try {
    writeState(opts, desired);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(
      `kakao-talk-channel: ${err.message}: every batch was sent (${done}) and is recorded in ${opts.journal}. ` +
        "Make the state file writable (e.g. free disk space) and re-run the same command: it completes from the journal without sending these batches again.\n",
    );
    return EXIT.stateWrite;
  }
  try {
    rmSync(opts.journal, { force: true });
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
    // The state holds everything the journal says: the next run replays it harmlessly.
    process.stderr.write(`kakao-talk-channel: the state is written, but the journal ${opts.journal} could not be removed (${err.code ?? err.message}); remove it\n`);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `synced ${target}${resumed}\n` +
      `  CSV rows:  ${int(rowCount)}\n` +
      `  added:     ${int(addCount)} (${int(fresh)} new, ${int(addCount - fresh)} changed) in ${batchesText(addBatches)}; Kakao counted ${int(successCount)} (it counts only users who added the channel)\n` +
      `  deleted:   ${int(deletes.length)} in ${batchesText(deleteBatches)}\n` +
      `  unchanged: ${int(unchanged)}\n` +
      `  state:     ${opts.state}\n` +
      `done in ${secs} s\n`,
  );
  return EXIT.ok;
}

/**
 * The ids about to be deleted come from the state file and journal: the SDK's rules check them first.
 * @param {SyncOptions} opts
 * @param {string[]} ids
 */
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

/**
 * Why a run deleting `deletes` of the `known` users, more than `limit`, is refused.
 * @param {SyncOptions} opts
 * @param {string[]} deletes
 * @param {number} known
 * @param {number} limit
 */
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
  process.exitCode = opts.command === "files" ? await files(opts) : await sync(opts);
} catch (err) {
  if (err instanceof UsageError) fail(EXIT.usage, err.message);
  fail(EXIT.failed, `unexpected error: ${/** @type {Error | undefined} */ (err)?.stack ?? err}`);
}

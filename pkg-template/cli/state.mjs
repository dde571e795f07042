// Part of `kakao-talk-channel sync` (cli.mjs): the state file and the journal.
import { closeSync, existsSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import * as buffer from "node:buffer";
import { UsageError, writeAll } from "./common.mjs";
import { IdTable } from "./idtable.mjs";

/** @import { SyncOptions } from "./common.mjs" */

/**
 * A line of the journal after its header: a confirmed batch (`add`, `delete`), or the ids a phase
 * is about to send (`sending`).
 * @typedef {{ op: "add"; ids: string[]; fps: string[] } | { op: "delete"; ids: string[] } | { op: "sending"; ids: string[] }} JournalEntry
 */
/**
 * A `sending` line as appendSending writes it: `writeIds(write)` calls `write` with the JSON of its
 * ids in parts (`"id","id",…`, no brackets; see IdTable.writeIdsJson).
 * @typedef {{ op: "sending"; writeIds: (write: (bytes: Buffer) => void) => void }} Sending
 */
/**
 * What readJournal found: the entries, the torn lines (1-based), whether there is a header, and
 * what the next append must do first (`cutAt`, `endLine`).
 * @typedef {{ entries: JournalEntry[]; torn: number[]; header: boolean; cutAt: number | null; endLine: boolean }} JournalScan
 */

// -------------------------------------------------------------------- state and journal ----

/**
 * Writes `content` (a string, or `(write) => void` writing it in parts, strings or bytes) to a temporary file, fsyncs, renames.
 * @param {string} path
 * @param {string | ((write: (text: string | Buffer) => void) => void)} content
 */
export function writeAtomically(path, content) {
  const tmp = `${path}.tmp-${process.pid}`;
  writing(path, () => {
    const fd = openSync(tmp, "w");
    try {
      if (typeof content === "string") writeAll(fd, content);
      else content((text) => writeAll(fd, text));
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

/**
 * Runs `write`; a file system error (no permission, a full disk) becomes a setup error naming `path`.
 * @template T
 * @param {string} path
 * @param {() => T} write
 * @returns {T}
 */
export function writing(path, write) {
  try {
    return write();
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
    if (typeof err?.code === "string" && err.syscall) throw new UsageError(`cannot write ${path}: ${err.code}`);
    throw err;
  }
}

/**
 * Whether a state file's or journal's header (parsed JSON) names this run's file.
 * @param {{ channel?: unknown; fileId?: unknown; userType?: unknown }} doc
 * @param {SyncOptions} opts
 */
export function sameTarget(doc, opts) {
  return doc.channel === opts.channel && doc.fileId === opts.fileId && doc.userType === opts.userType;
}

/**
 * @param {string} path
 * @param {string} what
 * @param {string} consequence
 */
export function damaged(path, what, consequence) {
  return new UsageError(`${path} is damaged: ${what}. Move it away to go on without it (${consequence})`);
}
export const LOST_STATE = "every row of the CSV is then sent again, and users no longer in the CSV are not deleted";
export const LOST_JOURNAL = "the batches it recorded are then sent again";

export const FP_LENGTH = 16;

/** `buffer.isAscii` (Node ≥ 18.15), else a byte loop. */
const isAscii =
  typeof buffer.isAscii === "function"
    ? buffer.isAscii
    : /** @param {Buffer} bytes */ (bytes) => {
        for (const b of bytes) if (b > 0x7f) return false;
        return true;
      };
/** The state format written; a file of a higher one was written by a newer version and is refused. */
export const STATE_VERSION = 2;

/**
 * The state file: what is known to be in Kakao's file, id → fingerprint. Version 2 (written
 * now): a JSON line `{"version":2,"channel",…,"users":N}`, then N lines `<id>\t<fingerprint>`.
 * Version 1 (read, never written): one JSON document `{"version":1,…,"users":{id: fp}}`.
 * @param {SyncOptions} opts
 */
export function readState(opts) {
  let known = new IdTable();
  if (!existsSync(opts.state)) return known;
  /** @type {Buffer} */
  let bytes;
  try {
    bytes = readFileSync(opts.state);
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
    throw new UsageError(`cannot read the state file ${opts.state}: ${err.code ?? err.message}`);
  }
  const nl = bytes.indexOf(0x0a);
  let doc;
  try {
    doc = JSON.parse(bytes.toString("utf8", 0, nl < 0 ? bytes.length : nl));
  } catch {
    try {
      doc = JSON.parse(bytes.toString("utf8")); // a version 1 file written on several lines
    } catch (err) {
      throw damaged(opts.state, `its first line is not JSON (${/** @type {SyntaxError} */ (err).message})`, LOST_STATE);
    }
  }
  if (doc !== null && typeof doc === "object" && Number.isSafeInteger(doc.version) && doc.version > STATE_VERSION) {
    const by = typeof doc.writer === "string" ? `${doc.writer}` : "a newer kakao-talk-channel";
    throw new UsageError(
      `${opts.state} was written by ${by} (state format ${doc.version}); this is kakao-talk-channel ${opts.packageVersion}, ` +
        `which reads formats 1 to ${STATE_VERSION}: run the version that wrote it, or a later one`,
    );
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
  known = new IdTable(Math.min(doc.users, bytes.length / (FP_LENGTH + 3)));
  // ASCII (as this version writes it): read from the bytes, where offsets are those of the text.
  if (isAscii(bytes)) {
    let pos = nl + 1;
    let count = 0;
    while (nl >= 0 && pos < bytes.length) {
      const end = bytes.indexOf(0x0a, pos);
      const line = count + 2;
      if (end < 0) throw damaged(opts.state, `line ${line} is cut short`, LOST_STATE);
      const tab = end - FP_LENGTH - 1;
      if (tab <= pos || bytes[tab] !== 9) throw damaged(opts.state, `line ${line} is not "<id><TAB><fingerprint>"`, LOST_STATE);
      known.setAscii(bytes, pos, tab, tab + 1, end);
      count += 1;
      pos = end + 1;
    }
    if (count !== doc.users) throw damaged(opts.state, `it lists ${count} users; its first line says ${doc.users}`, LOST_STATE);
    return known;
  }
  const text = bytes.toString("utf8");
  let pos = text.indexOf("\n") + 1;
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

/**
 * @param {SyncOptions} opts
 * @param {IdTable} desired
 */
export function writeState(opts, desired) {
  const head = {
    version: STATE_VERSION,
    channel: opts.channel,
    fileId: opts.fileId,
    userType: opts.userType,
    writer: `kakao-talk-channel ${opts.packageVersion}`,
    syncedAt: new Date().toISOString(),
    users: desired.size,
  };
  writeAtomically(opts.state, (write) => {
    write(`${JSON.stringify(head)}\n`);
    desired.writeLines(write);
  });
}

/**
 * @param {unknown} a
 * @returns {a is string[]}
 */
export const isStrings = (a) => Array.isArray(a) && a.every((x) => typeof x === "string");

/**
 * The journal: a header line, then one JSON line per batch Kakao confirmed. A line that is not
 * JSON was cut short by a crash while it was written, before its batch counted as confirmed: it
 * is skipped (its batch, if any, is sent again, which is harmless), wherever it is — a journal
 * that an older version extended after a torn line has one in the middle. Returns the entries
 * and what the next append must do first: cut a torn last line (`cutAt`, a byte offset) or end
 * a complete last line that lacks its newline.
 * @param {SyncOptions} opts
 * @returns {JournalScan}
 */
export function readJournal(opts) {
  /** @type {JournalScan} */
  const scan = { entries: [], torn: [], header: false, cutAt: null, endLine: false };
  if (!existsSync(opts.journal)) return scan;
  let bytes;
  try {
    bytes = readFileSync(opts.journal);
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
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
export const UNSURE = "";
/** The same, for a user that was in the file before the run that stopped: a row of it is "changed", not "new". */
export const UNSURE_KNOWN = "?";

/**
 * What is known to be in Kakao's file: the state file, then the journal. Its `sending` lines
 * (written before a run sends anything) list the users about to be added or deleted: until a
 * confirmed batch says otherwise, each may or may not be in Kakao's file (a batch in flight
 * during a crash may have been applied), so the next run adds them again if they are in the
 * CSV and deletes them again if not, whatever the CSV became in between.
 * @param {SyncOptions} opts
 */
export function loadKnown(opts) {
  const known = readState(opts);
  const journal = readJournal(opts);
  for (const entry of journal.entries) {
    if (entry.op === "add") {
      for (const [j, id] of entry.ids.entries()) known.set(id, entry.fps[j]);
    } else if (entry.op === "delete") {
      for (const id of entry.ids) known.delete(id);
    } else {
      for (const id of entry.ids) {
        const was = known.get(id);
        known.set(id, was === undefined || was === UNSURE ? UNSURE : UNSURE_KNOWN);
      }
    }
  }
  return { known, journal };
}

/**
 * Append-only: a header line, a `sending` line before each phase (deletes, adds) lists its ids,
 * then one line per confirmed batch. The header and `sending` lines are fsync'd before the call
 * returns (nothing is sent before they are on disk). A batch's line is written at once and
 * fsync'd in the background (`appendBatch`): one fsync covers every line written while the
 * previous one ran, so a slow disk does not hold up the batches in flight; `synced()` waits
 * for the last one. Until then a line is in the OS's cache: it survives the process being
 * killed, and a power cut losing it only sends its batch again.
 */
export class Journal {
  /** Set by the caller: called once with the first background fsync error (a UsageError). @type {(err: UsageError) => void} */
  onError = (_err) => {};
  /** @type {Promise<unknown> | null} */
  #syncing = null;
  #dirty = false;
  /** @type {UsageError | null} */
  #error = null;

  /**
   * @param {SyncOptions} opts
   * @param {JournalScan} scan
   */
  constructor(opts, scan) {
    const fresh = !scan.header && scan.entries.length === 0;
    this.path = opts.journal;
    this.fd = writing(this.path, () => openSync(this.path, fresh ? "w" : "a"));
    if (fresh) {
      this.append({ journal: 1, channel: opts.channel, fileId: opts.fileId, userType: opts.userType });
    } else if (scan.cutAt !== null) {
      // A torn last line: cut it, so that the next entry starts its own line.
      writing(this.path, () => ftruncateSync(this.fd, /** @type {number} */ (scan.cutAt)));
    } else if (scan.endLine) {
      writing(this.path, () => writeAll(this.fd, "\n"));
    }
  }
  /** A line (the header, or a `sending` line of few ids), fsync'd. @param {object} entry */
  append(entry) {
    writing(this.path, () => {
      writeAll(this.fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(this.fd);
    });
  }
  /**
   * A `sending` line, `{"op":"sending","ids":[…]}` as `append` writes it, its ids written by
   * `writeIds` a chunk at a time (a million ids are never one array or one string), then fsync'd.
   * @param {Sending} sending
   */
  appendSending({ writeIds }) {
    writing(this.path, () => {
      writeAll(this.fd, '{"op":"sending","ids":[');
      writeIds((bytes) => writeAll(this.fd, bytes));
      writeAll(this.fd, "]}\n");
      fsyncSync(this.fd);
    });
  }
  /**
   * A confirmed add batch's line, `{"op":"add","ids":[…],"fps":[…]}` as `appendBatch` writes it,
   * `fpsJson` the JSON of its fingerprints (IdTable.fpsJson): written now in one write, fsync'd in
   * the background.
   * @param {string[]} ids
   * @param {Buffer} fpsJson
   */
  appendAdd(ids, fpsJson) {
    if (this.#error) throw this.#error;
    const line = Buffer.concat([Buffer.from(`{"op":"add","ids":${JSON.stringify(ids)},"fps":`, "utf8"), fpsJson, Buffer.from("}\n")]);
    writing(this.path, () => writeAll(this.fd, line));
    this.#dirty = true;
    this.#sync();
  }
  /** A confirmed batch's line: written now (a write error throws), fsync'd in the background. @param {Exclude<JournalEntry, { op: "sending" }>} entry */
  appendBatch(entry) {
    if (this.#error) throw this.#error;
    writing(this.path, () => writeAll(this.fd, `${JSON.stringify(entry)}\n`));
    this.#dirty = true;
    this.#sync();
  }
  #sync() {
    if (this.#syncing !== null || !this.#dirty || this.#error) return;
    this.#dirty = false;
    this.#syncing = new Promise(/** @param {(value?: unknown) => void} resolve */ (resolve) => {
      fsync(this.fd, (err) => {
        this.#syncing = null;
        if (err && !this.#error) {
          this.#error = new UsageError(`cannot write ${this.path}: ${err.code ?? err.message}`);
          this.onError(this.#error);
        }
        this.#sync();
        resolve();
      });
    });
  }
  /** Resolves once every line written is fsync'd; rejects with the first background fsync error. */
  async synced() {
    while (this.#syncing !== null) await this.#syncing;
    if (this.#error) throw this.#error;
  }
  close() {
    closeSync(this.fd);
  }
}

// ------------------------------------------------------------------------- where it lives ----

/**
 * The state file's name in a state directory: one per channel, file id and user type, so any
 * CSV of that file continues it (a CSV named by date is normal). `.state`: it is not one JSON
 * document but a JSON line followed by `<id>\t<fingerprint>` lines.
 * @param {string} channel
 * @param {number} fileId
 * @param {string} userType
 */
export function stateName(channel, fileId, userType) {
  const safe = encodeURIComponent(channel).replace(/[!'()*.~%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${safe}-${fileId}-${userType}.state`;
}

/** The state directory (default `.kakao-sync/` next to the CSV), created if missing. @param {SyncOptions} opts */
export function makeStateDir(opts) {
  if (opts.stateFlag) return;
  try {
    mkdirSync(opts.stateDir, { recursive: true });
  } catch (recursiveErr) {
    let err = /** @type {NodeJS.ErrnoException} */ (recursiveErr);
    try {
      mkdirSync(opts.stateDir); // Node's recursive mkdir says ENOENT for EROFS or EACCES: ask once more
    } catch (plainErr) {
      if (existsSync(dirname(opts.stateDir))) err = /** @type {NodeJS.ErrnoException} */ (plainErr);
    }
    throw new UsageError(`cannot create the state directory ${opts.stateDir}: ${err.code ?? err.message} (pass --state-dir DIR, a directory this run can write)`);
  }
}

/** The first JSON value of a state file or journal: its first line, or (a version 1 state file on several lines) all of it. */
/** @param {string} path */
function headOf(path) {
  try {
    const text = readFileSync(path, "utf8");
    const nl = text.indexOf("\n");
    try {
      return JSON.parse(nl < 0 ? text : text.slice(0, nl));
    } catch {
      return JSON.parse(text);
    }
  } catch {
    return null;
  }
}

/**
 * Earlier versions kept the state next to the CSV, keyed by its path: `<csv>.kakao-sync.json`
 * and `<csv>.kakao-sync.json.journal`. When the state directory has no state of this file and
 * those belong to it (same channel, file id, user type), they are moved in (a dry run reads
 * them where they are). Returns a note for stderr, or null. Called with the lock held.
 * @param {SyncOptions} opts
 */
export function adoptLegacyState(opts) {
  if (opts.stateFlag) return null;
  const old = `${opts.csv}.kakao-sync.json`;
  const oldJournal = `${old}.journal`;
  const found = [old, oldJournal].filter((p) => existsSync(p));
  if (found.length === 0) return null;
  const head = headOf(found[0]);
  if (head === null || typeof head !== "object" || !sameTarget(head, opts)) return null;
  if (existsSync(opts.state) || existsSync(opts.journal)) {
    return `not reading ${found.join(" and ")}, the state of an earlier version: this file's state is ${opts.state} (remove the old one)`;
  }
  if (opts.dryRun) {
    opts.state = old;
    opts.journal = oldJournal;
    return `reading the state of an earlier version, ${found.join(" and ")}; a real run moves it to ${opts.stateDir}`;
  }
  for (const [from, to] of [
    [old, opts.state],
    [oldJournal, opts.journal],
  ]) {
    if (!existsSync(from)) continue;
    try {
      renameSync(from, to);
    } catch (thrown) {
      const err = /** @type {NodeJS.ErrnoException} */ (thrown);
      throw new UsageError(`cannot move the state of an earlier version, ${from}, to ${to}: ${err.code ?? err.message}; move it there yourself, or pass --state ${old}`);
    }
  }
  return `moved the state of an earlier version, ${found.join(" and ")}, to ${opts.stateDir} (the state now lives there, whatever the CSV is called)`;
}

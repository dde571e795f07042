// Part of `kakao-talk-channel sync` (cli.mjs): one run at a time per state file.
//
// The lock is `<state>.lock`, made with an exclusive create (`wx`: only one process can create
// it) and holding `{"pid","host","startedAt"}`. When it exists:
// - its holder runs on this host (`process.kill(pid, 0)` succeeds, or fails with EPERM): refused;
// - its holder is gone (ESRCH on this host): taken over — under `<lock>.takeover` (itself an
//   exclusive create, so two runs never take over the same lock), the lock is re-read and, if it
//   is still the dead holder's, a fresh lock is renamed over it and read back;
// - its holder is on another host (a shared disk): its liveness cannot be checked from here, so
//   it is refused whatever its age (a sync may rightly take hours); `--force-unlock` takes it.
// A lock that cannot be parsed is one being written right now, unless it is older than
// UNREADABLE_STALE_MS (a crash between create and write): then it counts as a dead holder's.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { UsageError, writeAll } from "./common.mjs";

const UNREADABLE_STALE_MS = 10_000;
/** A takeover lasts milliseconds; a `.takeover` file older than this was left by a crash. */
const TAKEOVER_STALE_MS = 30_000;

/**
 * @typedef {{ pid: number; host: string; startedAt: string }} LockInfo
 * @typedef {{ raw: string; info: LockInfo | null; age: number }} Holder
 */

/**
 * The lock at `path` (`info` null: unparseable), or null if there is none.
 * @param {string} path
 * @returns {Holder | null}
 */
function readLock(path) {
  let raw;
  try {
    raw = readFileSync(path, "utf8");
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
    if (err?.code === "ENOENT") return null;
    throw new UsageError(`cannot read the lock ${path}: ${err.code ?? err.message}`);
  }
  /** @type {LockInfo | null} */
  let info = null;
  try {
    const doc = JSON.parse(raw);
    if (Number.isSafeInteger(doc?.pid) && typeof doc.host === "string" && typeof doc.startedAt === "string") info = doc;
  } catch {
    // unparseable: see below
  }
  let age = 0;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    // gone meanwhile: its age does not matter
  }
  return { raw, info, age };
}

/**
 * "alive", "dead" or "remote".
 * @param {Holder} holder
 * @returns {"alive" | "dead" | "remote"}
 */
function holderState(holder) {
  if (holder.info === null) return holder.age > UNREADABLE_STALE_MS ? "dead" : "alive";
  if (holder.info.host !== hostname()) return "remote";
  try {
    process.kill(holder.info.pid, 0);
    return "alive";
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err)?.code === "ESRCH" ? "dead" : "alive"; // EPERM: it exists, under another user
  }
}

/** @param {Holder} holder */
function describe(holder) {
  if (holder.info === null) return "a run that is starting right now";
  return `pid ${holder.info.pid} on ${holder.info.host}, started ${holder.info.startedAt}`;
}

/**
 * Creates `path` (failing with EEXIST if it exists) holding `text`; removed again if the write fails.
 * @param {string} path
 * @param {string} text
 */
function createExclusive(path, text) {
  const fd = openSync(path, "wx");
  try {
    writeAll(fd, text);
    fsyncSync(fd);
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
}

/**
 * Takes the lock of `statePath` or throws a UsageError naming its holder. Returns `release()`,
 * which removes the lock if it is still this run's (idempotent, synchronous: safe in an `exit` handler).
 * @param {string} statePath
 * @param {{ forceUnlock?: boolean }} [options]
 * @returns {() => void}
 */
export function acquireLock(statePath, { forceUnlock = false } = {}) {
  const path = `${statePath}.lock`;
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() })}\n`;
  /** @param {NodeJS.ErrnoException} err */
  const fail = (err) => new UsageError(`cannot create the lock ${path}: ${err.code ?? err.message}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      createExclusive(path, mine);
      return releaser(path, mine);
    } catch (thrown) {
      const err = /** @type {NodeJS.ErrnoException} */ (thrown);
      if (err?.code !== "EEXIST") throw fail(err);
    }
    const holder = readLock(path);
    if (holder === null) continue; // released meanwhile: try again
    const state = forceUnlock ? "dead" : holderState(holder);
    if (state === "alive") {
      throw new UsageError(
        `another sync holds ${path}: ${describe(holder)}, still running; nothing was sent. ` +
          "Wait for it to finish (two runs at once would each miss what the other sent)",
      );
    }
    if (state === "remote") {
      throw new UsageError(
        `another sync holds ${path}: ${describe(holder)} (another host: whether it still runs cannot be checked from here); nothing was sent. ` +
          "If that run is gone, re-run with --force-unlock",
      );
    }
    if (takeOver(path, holder.raw, mine)) {
      const by = holder.info === null ? "an unfinished lock" : `the lock of ${describe(holder)}, ${forceUnlock ? "forced (--force-unlock)" : "which is no longer running"}`;
      process.stderr.write(`kakao-talk-channel: took over ${by}\n`);
      return releaser(path, mine);
    }
  }
  throw new UsageError(`cannot take the lock ${path}: other runs keep taking it; try again`);
}

/**
 * Replaces the lock if it still reads `staleRaw`; true once `mine` is read back from it.
 * @param {string} path
 * @param {string} staleRaw
 * @param {string} mine
 */
function takeOver(path, staleRaw, mine) {
  const guard = `${path}.takeover`;
  try {
    createExclusive(guard, `${process.pid}\n`);
  } catch (thrown) {
    const err = /** @type {NodeJS.ErrnoException} */ (thrown);
    if (err?.code !== "EEXIST") throw new UsageError(`cannot create ${guard}: ${err.code ?? err.message}`);
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmSync(guard, { force: true });
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    const now = readLock(path);
    if (now === null || now.raw !== staleRaw) return false;
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      createExclusive(tmp, mine);
      renameSync(tmp, path);
    } catch (thrown) {
      const err = /** @type {NodeJS.ErrnoException} */ (thrown);
      rmSync(tmp, { force: true });
      throw new UsageError(`cannot write the lock ${path}: ${err.code ?? err.message}`);
    }
    return readLock(path)?.raw === mine;
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * @param {string} path
 * @param {string} mine
 */
function releaser(path, mine) {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(path, "utf8") === mine) rmSync(path, { force: true });
    } catch {
      // already gone, or unreadable: nothing of ours to remove
    }
  };
}

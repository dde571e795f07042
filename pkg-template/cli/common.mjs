// Part of `kakao-talk-channel sync` (cli.mjs): what its modules share.
import { writeSync } from "node:fs";
import { TalkChannelClient as Client, validateCustomerFileUsers as validate } from "../node.js";

/**
 * The SDK, typed as the package declares it (index.d.ts): `../node.js` re-exports node.cjs,
 * which tsc cannot see through, so its exports would be `any` and a drift of the SDK's types
 * would go unnoticed here. The same values, bound once.
 */
/** @type {typeof import("../index.js").TalkChannelClient} */
export const TalkChannelClient = Client;
/** @type {typeof import("../index.js").validateCustomerFileUsers} */
export const validateCustomerFileUsers = validate;

/**
 * `--max-delete`: a count, or a percentage of the users known to be in the file (`atLeast`: the
 * default's floor); `flag`: given on the command line.
 * @typedef {{ count: number; flag: boolean; percent?: undefined; atLeast?: undefined }
 *   | { percent: number; atLeast?: number; flag: boolean; count?: undefined }} MaxDelete
 */

/**
 * A sync run's options, as cli.mjs's parseFlags makes them (for a dry run, adoptLegacyState may
 * point `state` and `journal` at an earlier version's files).
 * @typedef {{
 *   csv: string;
 *   channel: string;
 *   fileId: number;
 *   userType: "app" | "phone";
 *   stateDir: string;
 *   stateFlag: boolean;
 *   forceUnlock: boolean;
 *   packageVersion: string;
 *   idColumn: string | undefined;
 *   columns: string | undefined;
 *   maxDelete: MaxDelete;
 *   state: string;
 *   journal: string;
 *   rejects: string;
 *   concurrency: number;
 *   dryRun: boolean;
 *   progress: boolean;
 * }} SyncOptions
 */

/** Users per add or delete call: Kakao's limit. */
export const BATCH = 2000;
/**
 * Rows per validateCustomerFileUsers call (one call over a million rows is much slower than many
 * small ones); 2,000 rather than 10,000: rows waiting for their check live through fewer garbage
 * collections (a little less CPU and peak RSS in bench/sync-scale.mjs).
 */
export const CHECK_CHUNK = 2_000;
export const SHOWN_ERRORS = 10;
export const SHOWN_IDS = 10;

/** A usage or setup error: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** Writes all of `text` (a string, or bytes) to `fd` (a short write, as on a nearly full disk, is continued or fails). */
/**
 * @param {number} fd
 * @param {string | Buffer} text
 */
export function writeAll(fd, text) {
  const buf = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC", syscall: "write" });
    off += n;
  }
}

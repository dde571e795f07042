// Part of `kakao-talk-channel sync` (cli.mjs): what its modules share.
import { writeSync } from "node:fs";

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
export function writeAll(fd, text) {
  const buf = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC", syscall: "write" });
    off += n;
  }
}

// The caller's `onBatch` (`__onBatch`, called by src/wasm/batches.rs as each batch of a split
// call settles); not part of the public API.

// Imports only its sibling snippet shared.js: wasm-bindgen copies both side by side.
import { makeError, parseDated, quietly, snapshotError } from "./shared.js";

/**
 * Tells the caller's `onBatch` that a batch settled: `{ index, userIds, result }` or
 * `{ index, userIds, error }` (the error class, or the abort reason). Returns a snapshot (JSON,
 * as `snapshotError`) of what it threw synchronously, for the log line, else undefined; never
 * throws.
 * @param {any} onBatch the caller's function
 * @param {string} event
 * @param {unknown} reason
 * @returns {string | undefined}
 */
export function __onBatch(onBatch, event, reason) {
  try {
    const e = parseDated(event);
    if (e.error !== undefined) e.error = e.error === null ? reason : makeError(e.error, reason);
    const p = onBatch(e);
    if (p !== null && typeof p === "object" && typeof p.catch === "function") p.catch(() => {});
    return undefined;
  } catch (thrown) {
    return quietly(() => JSON.stringify(snapshotError(thrown))) ?? "{}";
  }
}

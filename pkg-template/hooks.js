// The caller's `onRequest` / `onResponse` hooks (`__hook`, called by src/wasm/metadata.rs once
// per attempt, never awaited); not part of the public API.

// Imports only its sibling snippet shared.js: wasm-bindgen copies both side by side.
import { makeError, quietly, snapshotError } from "./shared.js";

/**
 * Calls a caller's `onRequest` / `onResponse` hook (`name`) with `info` (JSON), plus, for a
 * failed attempt (`record` a string), `error`: the error class made from the record, or
 * `reason` (an abort) when the record is "". Never throws and never waits: returns a snapshot
 * (JSON, as `snapshotError`) of what the hook threw, else undefined; a promise it returns is
 * not awaited, its rejection goes to `report(name, snapshot)` (the wasm's logger).
 * @param {any} hook the caller's function
 * @param {string} info
 * @param {string | undefined} record
 * @param {unknown} reason
 * @param {(name: string, snapshot: string) => void} report
 * @param {string} name
 * @returns {string | undefined}
 */
export function __hook(hook, info, record, reason, report, name) {
  try {
    const i = JSON.parse(info);
    if (typeof record === "string") i.error = record === "" ? reason : makeError(JSON.parse(record), reason);
    const p = hook(i);
    if (p !== null && typeof p === "object" && typeof p.then === "function") {
      Promise.resolve(p).then(undefined, (thrown) => {
        quietly(() => report(name, JSON.stringify(snapshotError(thrown))));
      });
    }
    return undefined;
  } catch (thrown) {
    return quietly(() => JSON.stringify(snapshotError(thrown))) ?? "{}";
  }
}

// The way back: results of the wasm runner (JSON text) parsed, dates revived, `$metadata`
// attached; used by client.js and the webhook modules (through marshal.js). Not part of the
// public API.

import { parseDated } from "./shared.js";

/** @import { WasmResult } from "./shared.js" */

/**
 * A result of the wasm runner (JSON text), dates revived.
 * @param {string} json
 */
export function parseResult(json) {
  return parseDated(json);
}

/**
 * A result of the wasm runner (a {@link WasmResult}: the result's JSON, its `$metadata` JSON):
 * the result, dates revived, with its metadata as a non-enumerable `$metadata` (parsed on first
 * read), so that `JSON.stringify`, `Object.keys` and spreading give the data alone.
 * @param {WasmResult} outcome as the wasm runner resolves
 */
export function withMetadata(outcome) {
  const { json, meta } = outcome;
  const result = parseResult(json);
  if (typeof meta === "string" && result !== null && typeof result === "object") {
    /** @type {unknown} */
    let parsed;
    Object.defineProperty(result, "$metadata", {
      get() {
        if (parsed === undefined) parsed = JSON.parse(meta);
        return parsed;
      },
      enumerable: false,
      configurable: true,
    });
  }
  return result;
}

// The JS side of the wasm edge, one file per job. Rust imports from the snippets attempt.js (the
// HTTP attempt on the caller's `fetch`), log.js (the logger), hooks.js (`onRequest` /
// `onResponse`), on-batch.js (`onBatch`), shared.js (what those share: snapshots of what a
// caller's code threw, the error maker, the parse that makes the `Date`s) and chunk.js (an add's
// users chunk written into wasm memory); revive.js makes results of JSON text (dates revived,
// `$metadata`). This file gathers what the package's other modules import, so that they need not
// know the split; not part of the public API. The caller's values are packed before a call by
// pack.js.

export { loggerShape } from "./log.js";
export { parseResult, withMetadata } from "./revive.js";
export { WasmFailure, __setErrorMaker, parseDated, snapshotError } from "./shared.js";

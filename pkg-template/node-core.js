// The source of node-core.cjs (not shipped itself): scripts/build-pkg.mjs bundles it with esbuild
// into ONE CommonJS file: the wasm, the client and the error classes, and the modules the
// webhook bundle (node-webhook.cjs) shares with them, by namespace. node-bundle.cjs (the Node
// and Bun entry behind node.cjs, written by build-pkg.mjs) requires it at load and
// node-webhook.cjs on the first call of a webhook function; node.js imports node.cjs, so
// `import` and `require` share one module instance, one wasm instance and one set of classes.
//
// The wasm: in plain Node, the `.wasm` file next to this one (the package ships it), read at
// load. A bundler's output has no such file beside it (and may have no real `__dirname`): then
// wasm-inline.cjs, the same optimised wasm as base64 (built by build-pkg.mjs), which bundlers
// follow through the static `require` below and carry in their single output file. Plain Node
// never loads it, so it does not pay for parsing 330 KB of base64.
import { initSync } from "./kakao_talk_channel.js";
import { __setIsMap } from "./pack.js";
import { __checkSeenStore, __checkWebhookOptions, __parseWebhook } from "./kakao_talk_channel.js";

/** The length of this build's .wasm: replaced by a number when build-pkg.mjs bundles this file. */
const WASM_BYTE_LENGTH = __WASM_BYTE_LENGTH__;

/** The wasm's bytes: the file next to this one, else the inline copy. */
function wasmBytes() {
  try {
    // `__dirname` is real in Node's CommonJS; an ESM bundle has none (nor a `require` of
    // built-ins, hence no top-level import of node:fs), and webpack may mock it.
    if (typeof __dirname === "string") {
      const bytes = require("node:fs").readFileSync(`${__dirname}/kakao_talk_channel_bg.wasm`);
      // Only this build's own .wasm (its length is written in by build-pkg.mjs): a bundle placed
      // beside another version's file takes its inline copy instead.
      if (bytes.length === WASM_BYTE_LENGTH) return bytes;
    }
  } catch {
    // No file there (a bundle run alone): the inline copy.
  }
  return require("./wasm-inline.cjs");
}

initSync({ module: wasmBytes() });

try {
  // pack.js's Map check without a throw for every object that is not one (see mapSizeOf there).
  const { isMap } = require("node:util").types;
  if (typeof isMap === "function") __setIsMap(isMap);
} catch {
  // No `require` of built-ins here (an ESM bundle): pack.js keeps its own check.
}

export { TalkChannelClient, validateCustomerFileUsers } from "./client.js";
// What node-webhook.cjs imports, one namespace per module: the same instances as the client's
// (of the glue, only the webhook's functions: its namespace would keep its fetch-by-URL `init`).
export const glue = { __checkSeenStore, __checkWebhookOptions, __parseWebhook };
export * as errors from "./errors.js";
export * as marshal from "./marshal.js";
export * as pack from "./pack.js";
export * as env from "./env.js";

// Node entry for require(), and through node.js for import: the SDK itself is node-bundle.cjs
// (written by scripts/build-pkg.mjs: node-core.cjs, one esbuild bundle of the client's ESM
// sources, which reads the .wasm beside it or requires wasm-inline.cjs in a bundler's output;
// and the webhook's functions, which load node-webhook.cjs on first use). This shim stays apart
// because Node scans a CommonJS file for export names when ESM imports it: scanning these lines
// instead of the bundle saved about 8 ms of `import` when the bundle carried the wasm inline
// (365 KB, Node 20). Since node-core.cjs moved out, node-bundle.cjs is 2 KB: folding this shim
// into it changed nothing measurable (Node 20, 40 fresh processes, interleaved), so it stays.
"use strict";
const sdk = require("./node-bundle.cjs");

module.exports = sdk;

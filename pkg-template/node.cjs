// Node entry for require(), and through node.js for import: the SDK itself is node-bundle.cjs,
// one esbuild bundle of the ESM sources (81 KB; it reads the .wasm beside it, or requires
// wasm-inline.cjs in a bundler's output). This shim stays apart because Node scans a CommonJS
// file for export names when ESM imports it: scanning these lines instead of the bundle saved
// about 8 ms of `import` when the bundle carried the wasm inline (365 KB, Node 20); with today's
// 81 KB bundle the saving was not measured again.
"use strict";
const sdk = require("./node-bundle.cjs");

module.exports = sdk;

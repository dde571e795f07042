// Node entry for require(), and through node.js for import: the SDK itself is node-bundle.cjs,
// one esbuild bundle of the ESM sources with the wasm inlined. This shim stays apart because
// Node scans a CommonJS file for export names when ESM imports it: scanning these lines instead
// of the 365 KB bundle saves about 8 ms of cold start for `import` (Node 20).
"use strict";
const sdk = require("./node-bundle.cjs");

module.exports = sdk;

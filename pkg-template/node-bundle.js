// The source of node-bundle.cjs (not shipped itself): scripts/build-pkg.mjs bundles it with esbuild
// into ONE CommonJS file for Node and Bun, with the optimised wasm inlined (esbuild's `binary`
// loader: base64 in the file, decoded once at load). So it needs no file next to it and
// a bundler's output runs alone; node.cjs requires it and node.js imports node.cjs, so `import` and
// `require` share one module instance, one wasm instance and one set of classes.
import wasm from "./kakao_talk_channel_bg.wasm";
import { initSync } from "./kakao_talk_channel.js";

initSync({ module: wasm });

export * from "./exports.js";

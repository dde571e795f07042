// Deno entry: a source-phase import gives the compiled WebAssembly.Module with no file read at
// run time, so no --allow-read permission is needed.
import source wasm from "./kakao_talk_channel_bg.wasm";
import { initSync } from "./kakao_talk_channel.js";

initSync({ module: wasm });

export * from "./exports.js";

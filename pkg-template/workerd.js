// Cloudflare workerd entry: the runtime forbids compiling wasm from bytes, so the module is
// imported (bundlers keep it as a CompiledWasm module) and instantiated synchronously.
import wasm from "./kakao_talk_channel_bg.wasm";
import { initSync } from "./kakao_talk_channel.js";

initSync({ module: wasm });

export * from "./exports.js";

// Browsers, bundlers and other ESM runtimes: fetches the wasm next to this file (bundlers such
// as Vite emit it as an asset) with a top-level await, so the module is ready once imported.
// Secret keys are refused in browsers unless dangerouslyAllowBrowser is set.
import init from "./kakao_talk_channel.js";

await init({ module_or_path: new URL("./kakao_talk_channel_bg.wasm", import.meta.url) });

export * from "./exports.js";

// Node, Deno and Bun entry (ESM): loads the wasm next to this file synchronously, no init().
import { readFileSync } from "node:fs";
import { initSync } from "./kakao_talk_channel.js";

initSync({ module: readFileSync(new URL("./kakao_talk_channel_bg.wasm", import.meta.url)) });

export * from "./exports.js";

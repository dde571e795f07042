// kakao-talk-channel/testing — an in-memory Kakao Talk Channel server for tests.
//
// Written from Kakao's REST documentation for Kakao Talk Channel, not from the SDK's Rust code,
// so that tests against it can catch the SDK's misreadings. It never imports the SDK: every
// module of the kit lives in this folder.
//
//   kakao.js     Kakao's limits and wire formats (error bodies, Long ids, RFC3339 and KST times)
//   state.js     keys, channels, users, tokens, relations, customer files, the request log
//   routes.js    the six endpoints: request parsing and answers
//   faults.js    fault injection
//   webhook.js   deliverWebhook, Kakao's channel add/block webhook
//   emulator.js  createKakaoEmulator: answer() and the socket-free fetch
//   server.js    startKakaoEmulatorServer on node:http

export { createKakaoEmulator } from "./emulator.js";
export { startKakaoEmulatorServer } from "./server.js";
/** @import * as T from "./index.js" */

// Drift check. The kit's public types are index.d.ts, written by hand; the kit is checked
// against them by tsc --checkJs under strict (tsconfig.checkjs.json, npm test), where
// `./index.js` names index.d.ts: the exports are exactly the declared values, createKakaoEmulator
// fits the declared one, startKakaoEmulatorServer is typed as declared (server.js), and every
// part of the emulator object is typed from `KakaoEmulator` where it is made. Comments only.
/**
 * @template {never} T
 * @typedef {T} None
 */
/**
 * @template {U} T
 * @template U
 * @typedef {T} Fits
 */
/**
 * @typedef {{
 *   createKakaoEmulator: typeof import("./emulator.js").createKakaoEmulator;
 *   startKakaoEmulatorServer: typeof import("./server.js").startKakaoEmulatorServer;
 * }} Exports
 * @typedef {[
 *   None<Exclude<keyof typeof import("./index.js"), keyof Exports>>,
 *   None<Exclude<keyof Exports, keyof typeof import("./index.js")>>,
 *   Fits<Exports["createKakaoEmulator"], typeof T.createKakaoEmulator>,
 * ]} DriftCheck
 */

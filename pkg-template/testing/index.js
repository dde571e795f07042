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

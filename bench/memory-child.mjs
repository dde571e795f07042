// Wasm memory of one large add: N users (argv[2]) added with a canned fetch (Kakao's 200 at
// once), in a fresh process. The SDK's wasm instance is caught as it is created, and its
// linear memory (which never shrinks) is read before and after: the high-water mark of the call.
let instance;
WebAssembly.Instance = new Proxy(WebAssembly.Instance, { construct: (t, a) => (instance = Reflect.construct(t, a)) });
const { TalkChannelClient } = await import("../pkg/node.js");
const { sdkUsers } = await import("./fixture.mjs");
if (!instance) throw new Error("the SDK's wasm instance was not seen");
const n = Number(process.argv[2]);
const fetch = async (_url, init) => {
  const sent = JSON.parse(new TextDecoder().decode(init.body)).users.length;
  return Response.json({ file_id: 1, request_count: sent, success_count: sent });
};
const kakao = new TalkChannelClient({ restApiKey: "bench0rest0api0key000000000000000", fetch, logLevel: "off" });
const users = sdkUsers(n);
const before = instance.exports.memory.buffer.byteLength;
const t0 = performance.now();
const r = await kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: "_ZeUTxl", userType: "app", users });
const ms = performance.now() - t0;
if (r.requestCount !== n) throw new Error("unexpected answer");
process.stdout.write(`${JSON.stringify({ users: n, ms, wasmBefore: before, wasmAfter: instance.exports.memory.buffer.byteLength })}\n`);

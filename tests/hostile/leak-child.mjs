// Child of tests/hostile.test.mjs: N calls of each hostile kind, then one normal call; prints the
// wasm memory before and after as JSON. WebAssembly.Instance is hooked before the package loads
// so the SDK's own instance (and its memory) can be read.
const instances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct: (target, args) => {
    const i = Reflect.construct(target, args);
    instances.push(i);
    return i;
  },
});

const { TalkChannelClient, validateCustomerFileUsers } = await import(process.argv[2]);
const N = Number(process.argv[3]);
const memory = () => instances.map((i) => i.exports.memory?.buffer.byteLength ?? 0).reduce((a, b) => a + b, 0);

let uncaught = 0;
process.on("uncaughtException", () => uncaught++);
process.on("unhandledRejection", () => uncaught++);

const boom = () => {
  throw new Error("boom");
};
const fetch = async (_url, _init) => Response.json({ user_id: 1, channels: [] });
const k = new TalkChannelClient({ adminKey: "admin0key0for0leak0tests", fetch });
const unreadable = { get message() { throw new Error("y"); } };
const failing = new TalkChannelClient({ adminKey: "admin0key0for0leak0tests", maxRetries: 0, fetch: async () => { throw unreadable; } });
const kinds = {
  ctorProxy: () => new TalkChannelClient(new Proxy({ adminKey: "k" }, { ownKeys: boom })),
  ctorDate: () => new TalkChannelClient(new Date()),
  getter: () => k.checkChannelRelationship({ channelIds: ["_a"], get userId() { throw new Error("x"); } }),
  fields: () => validateCustomerFileUsers({ userType: "app", users: [{ id: 1, fields: { get age() { throw new Error("x"); } } }] }),
  ruleInWasm: () => k.checkChannelRelationship({ channelIds: ["bad id"], userId: 1 }),
  badFetch: () => failing.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }),
};
// Warm up: every path once, so lazily grown memory is in place.
for (const f of Object.values(kinds)) {
  try {
    await f();
  } catch {}
}
const before = memory();
const settled = {};
const grew = {};
for (const [name, f] of Object.entries(kinds)) {
  settled[name] = 0;
  const start = memory();
  for (let i = 0; i < N; i++) {
    try {
      await f();
    } catch {
      settled[name]++;
    }
  }
  grew[name] = memory() - start;
}
const normal = await k.checkChannelRelationship({ channelIds: ["_a"], userId: 1 });
console.log(JSON.stringify({ before, after: memory(), grew, settled, uncaught, normal: normal.userId }));

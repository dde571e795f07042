// Child of inputs.test.mjs: one scenario of inputs that used to abort the process or block it
// for seconds (a sparse array with length 4294967295 and one element; a user with 30,000 or
// 100,000 field keys, as a plain object or a Map), through every method that reads them. Each
// call is timed from the call to its settling, in wall-clock and in CPU milliseconds; the
// inputs are built before the clock starts. argv: the package's URL, the scenario. Prints one
// JSON line: per call, what it settled with, `ms` and `cpuMs`.
const [pkg, scenario] = process.argv.slice(2);
const { TalkChannelClient, validateCustomerFileUsers } = await import(pkg);

const CH = "_ZeUTxl";
let sent = 0;
const fetch = async () => {
  sent++;
  return Response.json({});
};
const kakao = new TalkChannelClient({ adminKey: "admin0key0inputs0child", restApiKey: "rest0key0inputs0child", fetch, logLevel: "off" });

/** A user-id list, a user list and a fields value for the scenario. */
function inputs() {
  if (scenario === "sparse") {
    const ids = [];
    ids[4294967294] = "4294967294";
    const users = [];
    users[4294967294] = { id: "4294967294" };
    return { ids, users };
  }
  const [, kind, count] = /^(plain|map)(\d+)$/.exec(scenario) ?? [];
  if (kind === undefined) throw new Error(`unknown scenario ${scenario}`);
  const n = Number(count);
  const entries = Array.from({ length: n }, (_, i) => [`key${i}`, i]);
  const fields = kind === "map" ? new Map(entries) : Object.fromEntries(entries);
  // The same many-keyed object where an id is expected (multi, delete) and as a user's fields.
  return { ids: ["1", fields], users: [{ id: "1" }, { id: "2", fields }] };
}

const { ids, users } = inputs();
const calls = {
  checkChannelRelationshipMulti: () => kakao.checkChannelRelationshipMulti({ userIds: ids }),
  deleteCustomerFileUsers: () => kakao.deleteCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", userIds: ids }),
  addCustomerFileUsers: () => kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users }),
  validateCustomerFileUsers: async () => validateCustomerFileUsers({ userType: "app", users }),
};

// Warm up the code paths with a small call of each kind (compilation is not the input's cost).
await kakao.checkChannelRelationshipMulti({ userIds: [true] }).catch(() => {});
validateCustomerFileUsers({ userType: "app", users: [{ id: "1", fields: { a: 1 } }] });
sent = 0;

const out = {};
for (const [name, call] of Object.entries(calls)) {
  // The builder's garbage is collected before the clock starts (run with --expose-gc).
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let r;
  try {
    const v = await call();
    r = { ok: v };
  } catch (e) {
    r = { name: e?.name, field: e?.field, rule: e?.rule, message: e?.message };
  }
  r.ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  r.cpuMs = (cpu.user + cpu.system) / 1000;
  out[name] = r;
}
console.log(JSON.stringify({ out, sent }));

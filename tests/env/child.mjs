// Child of env.test.mjs: a client built in a process with the environment the test gave it.
// argv: the package entry's URL, a scenario, and an explicit base URL (scenario "explicit").
// Prints one JSON line: the call's result or error, and what the logger received.
const [pkg, scenario, explicitBaseUrl] = (globalThis.Deno ? Deno.args : process.argv.slice(2));
if (scenario === "browser") {
  // A page's globals, set before the package loads.
  globalThis.window = globalThis;
  globalThis.document = {};
}
const { TalkChannelClient } = await import(pkg);
const lines = [];
const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (message, data) => void lines.push({ level, message, data })]));
const describe = (e) => ({ name: e?.name, field: e?.field, rule: e?.rule, message: e?.message });
const print = (out) => console.log(JSON.stringify({ ...out, lines }));
let client;
try {
  if (scenario === "none") client = new TalkChannelClient();
  else if (scenario === "undefined") client = new TalkChannelClient({ adminKey: undefined, restApiKey: undefined, baseUrl: undefined, logger });
  else if (scenario === "explicit") client = new TalkChannelClient({ adminKey: "explicit0admin0key000000000000", baseUrl: explicitBaseUrl, logger });
  else if (scenario === "browser") client = new TalkChannelClient({ dangerouslyAllowBrowser: true, logger });
  else if (scenario === "log") {
    // Two clients: an unknown KAKAO_TALK_CHANNEL_LOG is warned about once per process.
    new TalkChannelClient({ logger });
    client = new TalkChannelClient({ logger, maxRetries: 0 });
  } else client = new TalkChannelClient({ logger });
} catch (e) {
  print({ constructor: describe(e) });
  process.exit(0);
}
const call =
  scenario === "list"
    ? client.listCustomerFiles({ channelPublicId: "_ZeUTxl" })
    : client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 });
await call.then(
  (result) => print({ result }),
  (e) => print({ error: describe(e) }),
);

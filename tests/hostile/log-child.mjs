// Child of hostile-server.test.mjs: logs of a client made with the environment this process
// was given (KAKAO_TALK_CHANNEL_LOG). argv: the package's URL, "env" (no logLevel option) or
// "explicit-warn" (logLevel: "warn"). Prints the levels logged, or the constructor's error.
const [pkg, mode] = process.argv.slice(2);
const { TalkChannelClient } = await import(pkg);
const levels = [];
// console itself is the logger (the default); each call is also recorded.
for (const level of ["debug", "info", "warn", "error"]) {
  const original = console[level].bind(console);
  console[level] = (message, data) => {
    levels.push(level);
    original(message, JSON.stringify(data));
  };
}
let i = 0;
const fetch = async () =>
  i++ === 0
    ? new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": "0" } })
    : new Response('{"user_id":1,"channels":[]}');
let client;
try {
  client = new TalkChannelClient({ adminKey: "log0admin0key00000000000000001", fetch, ...(mode === "explicit-warn" ? { logLevel: "warn" } : {}) });
} catch (e) {
  console.log(JSON.stringify({ error: { name: e.name, field: e.field, rule: e.rule } }));
  process.exit(0);
}
await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 1 });
console.log(JSON.stringify({ levels }));

// Child of loggers.test.mjs: `logger: console` passed as is, at debug; a 503 then a 200.
const [pkg, key, user] = process.argv.slice(2);
const { TalkChannelClient } = await import(pkg);
let i = 0;
const fetch = async () =>
  i++ === 0
    ? new Response('{"msg":"busy","code":-9798}', { status: 503, headers: { "retry-after": "0" } })
    : new Response(`{"user_id":${user},"channels":[]}`);
const client = new TalkChannelClient({ adminKey: key, fetch, logger: console, logLevel: "debug" });
const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: user });
process.stdout.write(`result ${r.userId}\n`);

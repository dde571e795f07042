// One cold start, in a fresh process: import the client, construct it, make the first call.
// argv: sdk|baseline, loopback|canned, url, adminKey. Prints one JSON line of milliseconds,
// measured with performance.now() (0 = this process's start).
const [variant, mode, url, adminKey] = process.argv.slice(2);
const tStart = performance.now();
const Client =
  variant === "sdk"
    ? (await import("../pkg/node.js")).TalkChannelClient
    : (await import("./baseline.mjs")).PlainKakaoClient;
const tImported = performance.now();
const canned = '{"user_id":1234567890,"channels":[{"channel_uuid":"@ZeUTxl","channel_public_id":"_ZeUTxl","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2020-04-18T03:17:05Z"}]}';
const options = { adminKey, baseUrl: url };
if (mode === "canned") options.fetch = async () => new Response(canned, { status: 200, headers: { "content-type": "application/json" } });
const client = new Client(options);
const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234567890" });
const tDone = performance.now();
if (!r?.channels || r.channels.length === 0) throw new Error("cold start: unexpected answer");
process.stdout.write(`${JSON.stringify({ boot: tStart, import: tImported - tStart, firstCall: tDone - tImported, importAndCall: tDone - tStart })}\n`);

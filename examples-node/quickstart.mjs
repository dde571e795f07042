// The README's quick start. With KAKAO_ADMIN_KEY (and KAKAO_REST_API_KEY) set it talks to Kakao
// (or to KAKAO_BASE_URL if set); without keys it starts the built-in Kakao emulator on loopback.
//   node quickstart.mjs
//   KAKAO_ADMIN_KEY=… KAKAO_REST_API_KEY=… KAKAO_CHANNEL=_ZeUTxl KAKAO_USER_ID=1234 node quickstart.mjs
import { KakaoApiError, TalkChannelClient } from "kakao-talk-channel";

let { KAKAO_ADMIN_KEY: adminKey, KAKAO_REST_API_KEY: restApiKey, KAKAO_BASE_URL: baseUrl } = process.env;
const channel = process.env.KAKAO_CHANNEL ?? "_ZeUTxl";
const userId = process.env.KAKAO_USER_ID ?? "1234567890";
let server;
if (!adminKey) {
  const { startKakaoEmulatorServer } = await import("kakao-talk-channel/testing");
  server = await startKakaoEmulatorServer();
  const kakao = server.emulator;
  kakao.addChannel(channel, { uuid: "@quickstart" });
  kakao.setRelation(userId, channel, "ADDED", { at: new Date("2020-04-18T03:17:05Z") });
  ({ adminKey, restApiKey } = kakao);
  baseUrl = server.url;
  console.log(`(no KAKAO_ADMIN_KEY: using the Kakao emulator at ${baseUrl})`);
}

const kakao = new TalkChannelClient({ adminKey, restApiKey, ...(baseUrl ? { baseUrl } : {}) });
try {
  const me = await kakao.checkChannelRelationship({ channelIds: [channel], userId });
  for (const c of me.channels) console.log(`user ${me.userId}: ${c.channelPublicId} ${c.relation} since ${c.createdAt?.toISOString() ?? "—"}`);
  const { users, unresolvedUserIds } = await kakao.checkChannelRelationshipMulti({ userIds: [userId, "42"], channelIds: [channel] });
  console.log(`multi: ${users.length} checked, unresolved: ${unresolvedUserIds.join(", ") || "none"}`);
  if (restApiKey) {
    const { files, emptySlot } = await kakao.listCustomerFiles({ channelPublicId: channel });
    console.log(`customer files: ${files.length}, empty slots: ${emptySlot}`);
  }
} catch (err) {
  if (err instanceof KakaoApiError) console.error(`Kakao said ${err.status} ${err.kind}: ${err.msg}`);
  throw err;
} finally {
  await server?.close();
}

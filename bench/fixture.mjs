// The data every measurement uses, and the emulator set up to answer it.
import { TalkChannelClient } from "../pkg/node.js";
import { createKakaoEmulator } from "../pkg/testing/index.js";
import { PlainKakaoClient } from "./baseline.mjs";

export const CHANNELS = ["_ZeUTxl", "_xcLqmC"];
export const USER_ID = "1234567890";
export const MULTI_IDS = Array.from({ length: 10_000 }, (_, i) => String(3_000_000_000 + i));
export const ADD_USERS = 100_000;

/** `n` users for an add call, in the SDK's input shape (English aliases for the keys). */
export function sdkUsers(n, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({
    id: String(5_000_000_000 + offset + i),
    fields: { birthday: "1990-01-31", age: 20 + (i % 50) },
  }));
}

/** The same users in Kakao's wire shape, as a hand-written client would build them. */
export function plainUsers(n, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({
    id: String(5_000_000_000 + offset + i),
    field: { 생년월일: "1990-01-31", 연령: 20 + (i % 50) },
  }));
}

/** An emulator with the channels, relations and one customer file; resolves to it and the file id. */
export async function fixtureEmulator() {
  const emulator = createKakaoEmulator();
  for (const c of CHANNELS) emulator.addChannel(c);
  emulator.setRelation(USER_ID, CHANNELS[0], "ADDED");
  emulator.setRelation(USER_ID, CHANNELS[1], "BLOCKED");
  for (const id of MULTI_IDS) emulator.setRelation(id, CHANNELS[0], "ADDED");
  for (let i = 0; i < ADD_USERS; i += 2) emulator.setRelation(String(5_000_000_000 + i), CHANNELS[0], "ADDED");
  const res = await emulator.fetch(`${emulator.baseUrl}/v1/talkchannel/create/target_user_file`, {
    method: "POST",
    headers: { Authorization: `KakaoAK ${emulator.restApiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ channel_public_id: CHANNELS[0], file_name: "bench", schema: { 생년월일: "string", 연령: "number" } }),
  });
  const { file_id: fileId } = await res.json();
  if (!fileId) throw new Error("fixture: could not register the customer file");
  // The emulator logs every request; a benchmark makes hundreds of thousands.
  setInterval(() => (emulator.requests.length = 0), 200).unref();
  return { emulator, fileId };
}

/**
 * One 2,000-user add with no network, as `{ sdk, baseline }` functions: both clients get a
 * `fetch` that answers at once with Kakao's canned 200, so only the client's own work is timed.
 */
export function noNetworkAdd() {
  const answer = '{"file_id":1,"request_count":2000,"success_count":2000}';
  const fetch = async () => new Response(answer, { status: 200, headers: { "content-type": "application/json" } });
  const keys = { restApiKey: "bench0rest0api0key000000000000000", fetch };
  const sdk = new TalkChannelClient(keys);
  const plain = new PlainKakaoClient(keys);
  const sdkIn = sdkUsers(2000);
  const plainIn = plainUsers(2000);
  const params = { fileId: 1, channelPublicId: CHANNELS[0], userType: "app" };
  return {
    sdk: () => sdk.addCustomerFileUsers({ ...params, users: sdkIn }),
    baseline: () => plain.addCustomerFileUsers({ ...params, users: plainIn }),
  };
}

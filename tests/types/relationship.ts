// Type tests: compiled with `tsc --strict --noEmit`; `@ts-expect-error` lines must fail to type.
import {
  TalkChannelClient,
  KakaoApiError,
  KakaoTalkChannelError,
  ValidationError,
  type ChannelRelation,
  type MultiRelations,
  type UserChannelRelations,
} from "kakao-talk-channel";
import { createKakaoEmulator } from "kakao-talk-channel/testing";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

const emu = createKakaoEmulator();
const client = new TalkChannelClient({ adminKey: emu.adminKey, fetch: emu.fetch, baseUrl: emu.baseUrl });
new TalkChannelClient();
// @ts-expect-error unknown option
new TalkChannelClient({ apiKey: "x" });

export async function run(signal: AbortSignal): Promise<void> {
  const a = await client.checkChannelRelationship({ channelIds: ["_a"], userId: 1n });
  const b = await client.checkChannelRelationship({ channelIds: ["_a"], accessToken: "t" }, { signal, timeoutMs: 100 });
  assertType<Equal<typeof a, UserChannelRelations>>(true);
  assertType<Equal<typeof b.userId, string>>(true);
  assertType<Equal<ChannelRelation["createdAt"], Date | null>>(true);
  // @ts-expect-error exactly one of accessToken / userId
  await client.checkChannelRelationship({ channelIds: ["_a"], userId: 1, accessToken: "t" });
  // @ts-expect-error one of them is required
  await client.checkChannelRelationship({ channelIds: ["_a"] });
  // @ts-expect-error user ids are numbers, bigints or strings
  await client.checkChannelRelationship({ channelIds: ["_a"], userId: true });
  const m = await client.checkChannelRelationshipMulti({ userIds: [1, 2n, "3"] });
  assertType<Equal<typeof m, MultiRelations>>(true);
  assertType<Equal<typeof m.unresolvedUserIds, string[]>>(true);
  // API.md's contract: the three documented values, and unknown future ones as strings.
  assertType<Equal<ChannelRelation["relation"], "ADDED" | "BLOCKED" | "NONE" | (string & {})>>(true);
  try {
    await client.checkChannelRelationshipMulti({ userIds: [] });
  } catch (e) {
    if (e instanceof KakaoApiError) {
      assertType<Equal<typeof e.code, number | null>>(true);
      const kind: string = e.kind;
      void kind;
    } else if (e instanceof ValidationError) {
      const path: string = e.field;
      void path;
    }
    if (e instanceof KakaoTalkChannelError) void e.message;
  }
}

// TypeScript example using every method and error class (compiled with tsc --strict in tests).
import {
  BulkOperationError,
  KakaoApiError,
  KakaoTalkChannelError,
  NetworkError,
  ResponseError,
  TalkChannelClient,
  TimeoutError,
  ValidationError,
  type AddUsersResult,
  type CustomerFileUser,
} from "kakao-talk-channel";

const kakao = new TalkChannelClient({
  adminKey: process.env.KAKAO_ADMIN_KEY,
  restApiKey: process.env.KAKAO_REST_API_KEY,
  timeoutMs: 5_000,
  maxRetries: 3,
});

export async function syncVipCustomers(channel: string, customers: { kakaoId: bigint; birthday: string; age: number }[]): Promise<AddUsersResult | undefined> {
  const { files } = await kakao.listCustomerFiles({ channelPublicId: channel });
  const existing = files.find((f) => f.fileName === "vip" && f.status === "using");
  const fileId = existing?.fileId ?? (await kakao.registerCustomerFile({ channelPublicId: channel, fileName: "vip", schema: { birthday: "string", age: "number" } })).fileId;
  const users: CustomerFileUser[] = customers.map((c) => ({ id: c.kakaoId, fields: { birthday: c.birthday, age: c.age } }));
  try {
    return await kakao.addCustomerFileUsers({ fileId, channelPublicId: channel, userType: "app", users }, { signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    if (err instanceof BulkOperationError) {
      const missing = err.failed.flatMap((f) => f.userIds);
      console.error(`${missing.length} users to retry; ${err.succeeded.length} batches went through`);
      return undefined;
    }
    throw err;
  }
}

export async function removeCustomers(channel: string, fileId: number, phones: string[]): Promise<number> {
  const r = await kakao.deleteCustomerFileUsers({ fileId, channelPublicId: channel, userType: "phone", userIds: phones });
  return r.requestCount;
}

export async function isFriend(channel: string, userId: string | bigint): Promise<boolean> {
  try {
    const r = await kakao.checkChannelRelationship({ channelIds: [channel], userId });
    return r.channels.some((c) => c.relation === "ADDED");
  } catch (err) {
    if (err instanceof KakaoApiError && err.kind === "NotTalkUser") return false;
    if (err instanceof ValidationError) throw new Error(`bad input at ${err.field} (${err.rule})`);
    if (err instanceof TimeoutError || err instanceof NetworkError) return false;
    if (err instanceof ResponseError) console.error(err.bodySnippet);
    if (err instanceof KakaoTalkChannelError) console.error(err.name, err.message);
    throw err;
  }
}

export async function friendsOf(channel: string, userIds: string[], accessToken?: string): Promise<string[]> {
  if (accessToken) {
    const mine = await kakao.checkChannelRelationship({ channelIds: [channel], accessToken });
    return mine.channels.filter((c) => c.relation === "ADDED").map(() => mine.userId);
  }
  const { users, unresolvedUserIds } = await kakao.checkChannelRelationshipMulti({ userIds, channelIds: [channel] });
  if (unresolvedUserIds.length) console.warn(`Kakao could not check ${unresolvedUserIds.length} users`);
  return users.filter((u) => u.channels[0]?.relation === "ADDED").map((u) => u.userId);
}

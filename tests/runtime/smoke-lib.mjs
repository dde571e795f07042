// One runtime-agnostic smoke test of the installed package: every endpoint, the error classes,
// a redirect not followed, a timeout and an abort (so timers and AbortController are proven in
// that runtime). It runs unchanged in Node (ESM and, through smoke.cjs, CommonJS), Deno, Bun
// and a Cloudflare Worker.
// The harness (tests/runtimes.test.mjs) seeds the emulator it points `baseUrl` at.

function check(cond, what) {
  if (!cond) throw new Error(`smoke check failed: ${what}`);
}

/**
 * @param sdk the package's exports
 * @param cfg { baseUrl, adminKey, restApiKey, token, channel }
 */
export async function smoke(sdk, cfg) {
  const { TalkChannelClient, KakaoApiError, KakaoTalkChannelError, ValidationError, TimeoutError, BulkOperationError, ResponseError } = sdk;
  check(typeof BulkOperationError === "function", "BulkOperationError is exported");
  const client = new TalkChannelClient({ adminKey: cfg.adminKey, restApiKey: cfg.restApiKey, baseUrl: cfg.baseUrl });
  const report = {};

  const mine = await client.checkChannelRelationship({ channelIds: [cfg.channel], accessToken: cfg.token });
  check(mine.userId === "1001" && mine.channels[0].relation === "ADDED", "token relation");
  check(mine.channels[0].createdAt instanceof Date && mine.channels[0].createdAt.toISOString() === "2024-01-02T03:04:05.000Z", "createdAt Date");
  report.token = mine.channels[0].relation;

  const big = await client.checkChannelRelationship({ channelIds: [cfg.channel], userId: 9223372036854775807n });
  check(big.userId === "9223372036854775807", "64-bit id round trip");

  const ids = Array.from({ length: 450 }, (_, i) => String(1001 + i));
  const multi = await client.checkChannelRelationshipMulti({ userIds: ids, channelIds: [cfg.channel] });
  check(multi.users.length + multi.unresolvedUserIds.length === 450, "multi covers every id");
  check(multi.users[0].userId === "1001", "multi keeps input order");
  report.multi = { users: multi.users.length, unresolved: multi.unresolvedUserIds.length };

  const { fileId } = await client.registerCustomerFile({ channelPublicId: cfg.channel, fileName: `smoke-${Date.now()}`, schema: { birthday: "string", age: "number" } });
  check(typeof fileId === "number", "fileId");
  const list = await client.listCustomerFiles({ channelPublicId: cfg.channel });
  const file = list.files.find((f) => f.fileId === fileId);
  check(file && file.status === "using" && file.updatedAt instanceof Date, "listed file");
  check(file.schema.생년월일 === "string" && file.schema.연령 === "number", "schema keys in Korean");

  const users = Array.from({ length: 2500 }, (_, i) => ({ id: String(1001 + i), fields: { age: 20 + (i % 40) } }));
  const added = await client.addCustomerFileUsers({ fileId, channelPublicId: cfg.channel, userType: "app", users });
  check(added.batches.length === 2 && added.requestCount === 2500, "2,500 users in 2 batches");
  report.added = added.successCount;
  const removed = await client.deleteCustomerFileUsers({ fileId, channelPublicId: cfg.channel, userType: "app", userIds: users.slice(0, 10).map((u) => u.id) });
  check(removed.requestCount === 10, "delete 10");

  const notTalk = await client.checkChannelRelationship({ channelIds: [cfg.channel], userId: 42 }).catch((e) => e);
  check(notTalk instanceof KakaoApiError && notTalk instanceof KakaoTalkChannelError && notTalk.kind === "NotTalkUser", "KakaoApiError -501");
  const invalid = await client.checkChannelRelationship({ channelIds: ["a,b"], userId: 1 }).catch((e) => e);
  check(invalid instanceof ValidationError && invalid.rule === "channel_id.format", "ValidationError");

  // A redirect (user 778 is answered 307 to a URL of the emulator that would answer): this
  // runtime's fetch must not follow it. The harness checks the target got no request.
  const moved = await client.checkChannelRelationship({ channelIds: [cfg.channel], userId: 778 }).catch((e) => e);
  check(moved instanceof ResponseError && moved.status === 307 && moved.attempts === 1, `redirect not followed (got ${moved})`);
  report.redirect = moved.status;

  // Timers: a per-attempt timeout, a backoff sleep, and an abort, in this runtime.
  const started = Date.now();
  const slow = await client.checkChannelRelationship({ channelIds: [cfg.channel], userId: 777 }, { timeoutMs: 100, maxRetries: 1 }).catch((e) => e);
  check(slow instanceof TimeoutError && slow.timeoutMs === 100, `TimeoutError (got ${slow})`);
  const took = Date.now() - started;
  check(took >= 400 && took < 3000, `two 100 ms attempts and a 250–500 ms backoff (${took} ms)`);
  const aborted = await client.checkChannelRelationship({ channelIds: [cfg.channel], userId: 1001 }, { signal: AbortSignal.abort() }).catch((e) => e);
  check(aborted?.name === "AbortError", "abort rejects with an AbortError");
  report.timeoutMs = took;

  // The webhook: Request/Response and the handler in this runtime.
  const { parseChannelWebhook, createChannelWebhookHandler, WebhookAuthError } = sdk;
  const body = JSON.stringify({ event: "blocked", id: "9223372036854775807", id_type: "app_user_id", channel_public_id: cfg.channel, channel_uuid: "@smoke", updated_at: "2024-03-04T05:06:07Z" });
  const delivery = (key, resourceId) =>
    new Request("https://service.example/kakao/webhook", {
      method: "POST",
      headers: { authorization: `KakaoAK ${key}`, "x-kakao-resource-id": resourceId, "user-agent": "KakaoOpenAPI/1.0", "content-type": "application/json" },
      body,
    });
  const event = await parseChannelWebhook(delivery(cfg.adminKey, "r-1"), { adminKey: cfg.adminKey });
  check(event.userId === "9223372036854775807" && event.event === "blocked" && event.resourceId === "r-1", "webhook parsed");
  check(event.updatedAt instanceof Date && event.updatedAt.toISOString() === "2024-03-04T05:06:07.000Z", "webhook updatedAt");
  const wrong = await parseChannelWebhook(delivery("wrong0key0000000000000000000000", "r-2"), { adminKey: cfg.adminKey }).catch((e) => e);
  check(wrong instanceof WebhookAuthError && wrong.reason === "mismatch", "WebhookAuthError");
  const events = [];
  const handle = createChannelWebhookHandler({ adminKey: cfg.adminKey, onEvent: (e) => void events.push(e.event) });
  const statuses = [];
  for (const [key, id] of [[cfg.adminKey, "r-1"], [cfg.adminKey, "r-1"], ["wrong0key0000000000000000000000", "r-3"]]) {
    statuses.push((await handle(delivery(key, id))).status);
  }
  check(statuses.join() === "200,200,401" && events.join() === "blocked", `webhook handler (${statuses})`);
  report.webhook = statuses.join();
  return report;
}

// Type tests, compiled with `tsc --strict --noEmit` against the installed tarball: every
// method's parameter and result types are exact, and `@ts-expect-error` lines must not type.
import {
  BulkOperationError,
  KakaoApiError,
  KakaoTalkChannelError,
  NetworkError,
  ResponseError,
  TalkChannelClient,
  TimeoutError,
  ValidationError,
  WebhookAuthError,
  constructChannelWebhookEvent,
  createChannelWebhookHandler,
  createNodeWebhookHandler,
  toNodeHandler,
  d1SeenStore,
  kvSeenStore,
  parseChannelWebhook,
  redisSeenStore,
  type AddUsersResult,
  type AddBatchResult,
  type AnyBulkOperationError,
  type BatchEvent,
  type DeleteBatchResult,
  type Logger,
  type MultiBatchResult,
  type ValidationRule,
  type KakaoErrorKind,
  type ClientOptions,
  type ChannelWebhookEvent,
  type ChannelWebhookHandlerOptions,
  type ChannelWebhookHeaders,
  type ConstructChannelWebhookEventOptions,
  type D1SeenStoreOptions,
  type ParseChannelWebhookOptions,
  type RedisSeenStoreOptions,
  type SeenStoreOptions,
  type ToNodeHandlerOptions,
  type WebhookClaimStore,
  type ChannelRelation,
  type CustomerFile,
  type CustomerFileList,
  type DeleteUsersResult,
  type FailedBatch,
  type MultiRelations,
  type UserChannelRelations,
  type RequestHookInfo,
  type ResponseHookInfo,
  type ResponseMetadata,
  type BatchMetadata,
  type SplitResponseMetadata,
  type WithMetadata,
} from "kakao-talk-channel";
import {
  validateCustomerFileUsers,
  type CustomerFileUserError,
  type ValidateCustomerFileUsersResult,
} from "kakao-talk-channel";
import { createKakaoEmulator, startKakaoEmulatorServer, type KakaoEmulator } from "kakao-talk-channel/testing";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_: T): void {}

const emu: KakaoEmulator = createKakaoEmulator();
const client = new TalkChannelClient({ adminKey: emu.adminKey, restApiKey: emu.restApiKey, fetch: emu.fetch, baseUrl: emu.baseUrl });
new TalkChannelClient();
// @ts-expect-error unknown option
new TalkChannelClient({ apiKey: "x" });
// @ts-expect-error timeoutMs is a number
new TalkChannelClient({ timeoutMs: "10" });

export async function all(signal: AbortSignal): Promise<void> {
  const a = client.checkChannelRelationship({ channelIds: ["_a"], userId: 1n });
  expectType<Equal<typeof a, Promise<WithMetadata<UserChannelRelations>>>>(true);
  expectType<Equal<Awaited<typeof a>["$metadata"], ResponseMetadata>>(true);
  expectType<
    Equal<ResponseMetadata, { endpoint: string; status: number; requestId: string | null; headers: Record<string, string>; attempts: number; durationMs: number }>
  >(true);
  expectType<Equal<Omit<BatchMetadata, keyof ResponseMetadata>, { index: number }>>(true);
  expectType<Equal<SplitResponseMetadata, { endpoint: string; attempts: number; durationMs: number; batches: BatchMetadata[] }>>(true);
  expectType<Equal<RequestHookInfo, { endpoint: string; method: "GET" | "POST"; url: string; attempt: number }>>(true);
  expectType<
    Equal<
      Omit<ResponseHookInfo, keyof RequestHookInfo>,
      { status: number | null; requestId: string | null; headers: Record<string, string>; durationMs: number; retryInMs: number | null; error?: Error }
    >
  >(true);
  // Hooks on the client and on a call; the metadata is readonly.
  const hooked = new TalkChannelClient({ onRequest: (i) => i.url.length, onResponse: (i) => i.status ?? 0 });
  const h = await hooked.listCustomerFiles({ channelPublicId: "_a" }, { onRequest: () => {}, onResponse: async (i) => i.error?.message });
  expectType<Equal<typeof h.$metadata.requestId, string | null>>(true);
  // @ts-expect-error $metadata is readonly
  h.$metadata = { ...h.$metadata };
  // @ts-expect-error a hook is a function
  new TalkChannelClient({ onRequest: "log" });
  const b = await client.checkChannelRelationship({ channelIds: ["_a"], accessToken: "t" }, { signal, timeoutMs: 100, maxRetries: 0 });
  expectType<Equal<typeof b.userId, string>>(true);
  expectType<Equal<ChannelRelation["createdAt"], Date | null>>(true);
  expectType<Equal<ChannelRelation["updatedAt"], Date | null>>(true);
  expectType<Equal<ChannelRelation["relation"], "ADDED" | "BLOCKED" | "NONE" | (string & {})>>(true);
  // @ts-expect-error exactly one of accessToken / userId
  await client.checkChannelRelationship({ channelIds: ["_a"], userId: 1, accessToken: "t" });
  // @ts-expect-error one of them is required
  await client.checkChannelRelationship({ channelIds: ["_a"] });
  // @ts-expect-error user ids are numbers, bigints or strings
  await client.checkChannelRelationship({ channelIds: ["_a"], userId: true });
  // @ts-expect-error channelIds is required
  await client.checkChannelRelationship({ userId: 1 });
  // @ts-expect-error unknown request option
  await client.checkChannelRelationship({ channelIds: ["_a"], userId: 1 }, { retries: 1 });

  const m = client.checkChannelRelationshipMulti({ userIds: [1, 2n, "3"] });
  expectType<Equal<typeof m, Promise<WithMetadata<MultiRelations, SplitResponseMetadata>>>>(true);
  expectType<Equal<Awaited<typeof m>["$metadata"]["batches"][number]["index"], number>>(true);
  expectType<Equal<MultiRelations["unresolvedUserIds"], string[]>>(true);

  const reg = client.registerCustomerFile({ channelPublicId: "_a", fileName: "f", schema: { 연령: "number", birthday: "string" } });
  expectType<Equal<typeof reg, Promise<WithMetadata<{ fileId: number }>>>>(true);
  // @ts-expect-error schema values are "string" | "number"
  await client.registerCustomerFile({ channelPublicId: "_a", fileName: "f", schema: { age: "integer" } });

  const list = client.listCustomerFiles({ channelPublicId: "_a" });
  expectType<Equal<typeof list, Promise<WithMetadata<CustomerFileList>>>>(true);
  expectType<Equal<CustomerFile["updatedAt"], Date | null>>(true);
  expectType<Equal<CustomerFile["schema"], Record<string, "string" | "number">>>(true);
  expectType<Equal<CustomerFile["status"], "using" | "deleting" | "failed" | (string & {})>>(true);

  const add = client.addCustomerFileUsers({ fileId: 1, channelPublicId: "_a", userType: "app", users: [{ id: 1n, fields: { age: 3 } }] });
  expectType<Equal<typeof add, Promise<WithMetadata<AddUsersResult, SplitResponseMetadata>>>>(true);
  expectType<Equal<AddUsersResult["batches"], AddBatchResult[]>>(true);
  expectType<Equal<AddBatchResult["successCount"], number>>(true);
  const progress = client.addCustomerFileUsers(
    { fileId: 1, channelPublicId: "_a", userType: "app", users: [{ id: 1, fields: new Map([["age", 3]]) }] },
    { concurrency: 4, onBatch: (e) => expectType<Equal<typeof e.result, { requestCount: number; successCount: number } | undefined>>(true) },
  );
  expectType<Equal<typeof progress, Promise<WithMetadata<AddUsersResult, SplitResponseMetadata>>>>(true);
  // onBatch events are a union that narrows on `error`.
  await client.deleteCustomerFileUsers(
    { fileId: 1, channelPublicId: "_a", userType: "app", userIds: ["1"] },
    {
      onBatch: (ev) => {
        if (!ev.error) expectType<Equal<typeof ev.result, Record<string, never>>>(true);
        else {
          expectType<Equal<typeof ev.error, Error>>(true);
          expectType<Equal<typeof ev.result, undefined>>(true);
        }
      },
    },
  );
  const onMulti = (ev: BatchEvent<MultiRelations>): number => (ev.error ? ev.error.message.length : ev.result.users.length);
  await client.checkChannelRelationshipMulti({ userIds: ["1"] }, { onBatch: onMulti });
  // Readonly arrays everywhere (`as const`).
  const channels = ["_a", "_b"] as const;
  await client.checkChannelRelationship({ channelIds: channels, userId: 1 });
  await client.checkChannelRelationship({ channelIds: ["_a"] as const, accessToken: "t" });
  await client.checkChannelRelationshipMulti({ userIds: [1, 2n, "3"] as const, channelIds: channels });
  const frozenUsers: readonly { readonly id: string; readonly fields: { readonly age: 3 } }[] = [{ id: "1", fields: { age: 3 } }] as const;
  await client.addCustomerFileUsers({ fileId: 1, channelPublicId: "_a", userType: "app", users: frozenUsers });
  await client.deleteCustomerFileUsers({ fileId: 1, channelPublicId: "_a", userType: "app", userIds: ["1", 2n] as const });
  validateCustomerFileUsers({ userType: "app", users: [{ id: 1, fields: new Map([["age", 3]]) as ReadonlyMap<string, number> }] as const });
  // A logger: any object or function object with the four methods; pino and winston fit as they are.
  const fnLogger: Logger = Object.assign(() => {}, { debug() {}, info() {}, warn() {}, error() {} });
  new TalkChannelClient({ logger: fnLogger });
  // @ts-expect-error a logger needs all four methods
  new TalkChannelClient({ logger: { warning() {}, err() {} } });
  // Emulator options accept `undefined` too (exactOptionalPropertyTypes).
  const maybe = undefined as string | undefined;
  createKakaoEmulator({ adminKey: maybe, restApiKey: maybe, baseUrl: maybe, now: undefined });
  emu.addChannel("_a", { uuid: maybe });
  emu.addUser(1, { talkUser: undefined, phone: maybe });
  emu.setRelation(1, "_a", "ADDED", { at: undefined });
  await startKakaoEmulatorServer({ emulator: undefined, port: undefined, host: maybe }).then((s) => s.close());
  // Options accept `undefined`, as exactOptionalPropertyTypes needs (process.env values are string | undefined).
  const fromEnv: ClientOptions = { adminKey: undefined as string | undefined, logLevel: "debug", logger: console };
  new TalkChannelClient(fromEnv);
  // @ts-expect-error a log level is one of off/error/warn/info/debug
  new TalkChannelClient({ logLevel: "verbose" });
  const someRule: ValidationRule = "user_id.format";
  // @ts-expect-error a rule id that does not exist
  const noRule: ValidationRule = "user_id.formatt";
  const someKind: KakaoErrorKind = "NotTalkUser";
  void [someRule, noRule, someKind];
  // @ts-expect-error the wasm's free() is not part of the public class
  client.free();
  // @ts-expect-error userType is "app" | "phone"
  await client.addCustomerFileUsers({ fileId: 1, channelPublicId: "_a", userType: "email", users: [] });
  // @ts-expect-error field values are strings or numbers
  await client.addCustomerFileUsers({ fileId: 1, channelPublicId: "_a", userType: "app", users: [{ id: 1, fields: { age: true } }] });

  const del = client.deleteCustomerFileUsers({ fileId: 1, channelPublicId: "_a", userType: "phone", userIds: ["010-1234-5678"] });
  expectType<Equal<typeof del, Promise<WithMetadata<DeleteUsersResult, SplitResponseMetadata>>>>(true);

  try {
    await add;
  } catch (e) {
    if (e instanceof KakaoApiError) {
      expectType<Equal<typeof e.code, number | null>>(true);
      expectType<Equal<typeof e.status, number>>(true);
      expectType<Equal<typeof e.retryable, boolean>>(true);
      expectType<Equal<typeof e.details, Record<string, unknown>>>(true);
      expectType<Equal<typeof e.endpoint, string>>(true);
      // @ts-expect-error a typo is an error, not an index signature's unknown
      void e.staus;
    } else if (e instanceof ValidationError) {
      expectType<Equal<typeof e.field, string>>(true);
      expectType<Equal<typeof e.rule, ValidationRule>>(true);
    } else if (e instanceof BulkOperationError) {
      expectType<Equal<typeof e, AnyBulkOperationError>>(true);
      expectType<Equal<typeof e.failed, FailedBatch[]>>(true);
      expectType<Equal<FailedBatch["userIds"], string[]>>(true);
      expectType<Equal<typeof e.attempts, number>>(true);
      expectType<Equal<typeof e.partial, MultiRelations | AddUsersResult | DeleteUsersResult>>(true);
      // Narrows per call on its endpoint: `partial` and `succeeded` in that call's shapes.
      if (e.endpoint === "POST /v1/talkchannel/update/target_users") {
        expectType<Equal<typeof e.partial, AddUsersResult>>(true);
        expectType<Equal<typeof e.succeeded, AddBatchResult[]>>(true);
      } else if (e.endpoint === "GET /v2/api/talk/channels/multi") {
        expectType<Equal<typeof e.partial, MultiRelations>>(true);
        expectType<Equal<typeof e.succeeded, MultiBatchResult[]>>(true);
      } else {
        expectType<Equal<typeof e.endpoint, "POST /v1/talkchannel/delete/target_users">>(true);
        expectType<Equal<typeof e.partial, DeleteUsersResult>>(true);
        expectType<Equal<typeof e.succeeded, DeleteBatchResult[]>>(true);
      }
    } else if (e instanceof TimeoutError) {
      expectType<Equal<typeof e.timeoutMs, number>>(true);
    } else if (e instanceof ResponseError) {
      expectType<Equal<typeof e.bodySnippet, string>>(true);
    } else if (e instanceof NetworkError) {
      void e.cause;
    }
    if (e instanceof KakaoTalkChannelError) {
      expectType<Equal<typeof e.message, string>>(true);
      expectType<Equal<ReturnType<typeof e.toJSON>["name"], string>>(true);
    }
  }
  // Each error class declares the constructor its JS has: `props` required (errors.js reads them).
  const context = { endpoint: "GET /v2/api/talk/channels", attempts: 1 };
  expectType<Equal<typeof context.attempts, number>>(true);
  void new KakaoApiError("m", { status: 400, code: -501, msg: "m", kind: "NotTalkUser", retryable: false, details: {}, ...context });
  void new TimeoutError("m", { timeoutMs: 100, ...context });
  void new NetworkError("m");
  void new ResponseError("m", { status: 200, bodySnippet: "<html>", ...context, headers: { "x-a": "1" } });
  void new WebhookAuthError("m", { reason: "scheme" });
  const bulk = new BulkOperationError("m", { partial: {}, succeeded: [], failed: [], ...context });
  expectType<Equal<typeof bulk, AnyBulkOperationError>>(true);
  // @ts-expect-error props are required (their fields are read)
  void new KakaoApiError("m");
  // @ts-expect-error props are required
  void new TimeoutError("m");
  // @ts-expect-error reason is one of three
  void new WebhookAuthError("m", { reason: "other" });
  // @ts-expect-error failed is a FailedBatch[]
  void new BulkOperationError("m", { partial: {}, succeeded: [], failed: [1], ...context });
  // @ts-expect-error a timeout has no answer, so no headers
  void new TimeoutError("m", { timeoutMs: 100, ...context, headers: {} });
  const server = await startKakaoEmulatorServer({ emulator: emu });
  expectType<Equal<typeof server.url, string>>(true);
  await server.close();
}

export async function webhook(request: Request): Promise<Response> {
  const e = await parseChannelWebhook(request, { adminKey: "k" });
  expectType<Equal<typeof e, ChannelWebhookEvent>>(true);
  expectType<Equal<typeof e.userId, string>>(true);
  expectType<Equal<typeof e.updatedAt, Date>>(true);
  expectType<Equal<typeof e.resourceId, string | null>>(true);
  expectType<Equal<typeof e.event, "added" | "blocked" | (string & {})>>(true);
  // adminKey: optional and `string | undefined` (KAKAO_ADMIN_KEY when absent), as the client's.
  await parseChannelWebhook(request, {});
  await parseChannelWebhook(request);
  const fromEnv: string | undefined = undefined;
  await parseChannelWebhook(request, { adminKey: fromEnv, bodyTimeoutMs: undefined });
  createChannelWebhookHandler({ adminKey: fromEnv, onEvent: () => {} });
  createNodeWebhookHandler({ onEvent: () => {} });
  // @ts-expect-error adminKey is a string
  await parseChannelWebhook(request, { adminKey: 42 });
  // Every optional webhook option accepts `undefined` (exactOptionalPropertyTypes: Required<>
  // keeps an explicit `| undefined`, and drops the one `?` alone adds).
  expectType<Equal<Required<ConstructChannelWebhookEventOptions>["adminKey"], string | undefined>>(true);
  expectType<Equal<Required<ParseChannelWebhookOptions>["adminKey"], string | undefined>>(true);
  expectType<Equal<Required<ParseChannelWebhookOptions>["bodyTimeoutMs"], number | undefined>>(true);
  type HandlerOpt<K extends keyof ChannelWebhookHandlerOptions> = Required<ChannelWebhookHandlerOptions>[K];
  expectType<Equal<HandlerOpt<"adminKey">, string | undefined>>(true);
  expectType<Equal<HandlerOpt<"seen">, WebhookClaimStore | undefined>>(true);
  expectType<Equal<HandlerOpt<"seenTtlMs">, number | undefined>>(true);
  expectType<Equal<HandlerOpt<"answerWithinMs">, number | undefined>>(true);
  expectType<Equal<HandlerOpt<"leaseMs">, number | undefined>>(true);
  expectType<Equal<HandlerOpt<"callTimeoutMs">, number | undefined>>(true);
  expectType<Equal<HandlerOpt<"bodyTimeoutMs">, number | undefined>>(true);
  expectType<Equal<HandlerOpt<"onEvent">, (event: ChannelWebhookEvent) => void | Promise<void>>>(true);
  expectType<Equal<Extract<HandlerOpt<"onError">, undefined>, undefined>>(true);
  expectType<Equal<Required<SeenStoreOptions>["prefix"], string | undefined>>(true);
  expectType<Equal<Required<RedisSeenStoreOptions>["client"], "ioredis" | "node-redis" | undefined>>(true);
  expectType<Equal<Required<D1SeenStoreOptions>["table"], string | undefined>>(true);
  expectType<Equal<Extract<Required<ToNodeHandlerOptions>["onError"], undefined>, undefined>>(true);
  // constructChannelWebhookEvent: bytes or a string, Headers or a record of values; synchronous.
  const built = constructChannelWebhookEvent("{}", { authorization: "KakaoAK k", "x-kakao-resource-id": ["r"], other: undefined });
  expectType<Equal<typeof built, ChannelWebhookEvent>>(true);
  constructChannelWebhookEvent(new Uint8Array(0), new Headers(), { adminKey: "k" });
  constructChannelWebhookEvent(new ArrayBuffer(0), new Map([["authorization", "KakaoAK k"]]), { adminKey: fromEnv });
  const nodeHeaders: { [name: string]: string | string[] | undefined } = {};
  constructChannelWebhookEvent("{}", nodeHeaders);
  expectType<Equal<Parameters<typeof constructChannelWebhookEvent>[1], ChannelWebhookHeaders>>(true);
  // @ts-expect-error the body is the raw bytes, not a parsed object
  constructChannelWebhookEvent({ event: "added" }, {});
  // @ts-expect-error header values are strings
  constructChannelWebhookEvent("{}", { authorization: 5 });
  // @ts-expect-error the body's timeout belongs to parseChannelWebhook (it reads the body)
  constructChannelWebhookEvent("{}", {}, { bodyTimeoutMs: 10 });
  void toNodeHandler;
  const handle = createChannelWebhookHandler({ adminKey: "k", onEvent: async (ev) => void ev.channelPublicId, answerWithinMs: 2000, leaseMs: 20_000, callTimeoutMs: 500 });
  // @ts-expect-error a Set (has/add) cannot tell a delivery being handled from a handled one
  createChannelWebhookHandler({ adminKey: "k", onEvent: () => {}, seen: new Set<string>() });
  expectType<Equal<typeof handle, (request: Request) => Promise<Response>>>(true);
  // @ts-expect-error onEvent is required
  createChannelWebhookHandler({ adminKey: "k" });
  await parseChannelWebhook(request, { adminKey: "k", bodyTimeoutMs: 1000 });
  const kv = { get: async (_k: string) => null as string | null, put: async (_k: string, _v: string, _o: { expirationTtl: number }) => {}, delete: async (_k: string) => {} };
  const ioredis = { call: async (_command: string, ..._args: string[]): Promise<unknown> => "claimed" };
  const d1 = { prepare: (_sql: string) => ({ bind: (..._v: unknown[]) => ({ first: async () => null, run: async () => ({}) }), run: async () => ({}) }) };
  createChannelWebhookHandler({
    adminKey: "k",
    onEvent: () => {},
    seen: kvSeenStore(kv, { prefix: "delivery:" }),
    seenTtlMs: 3_600_000,
    onError: (err: unknown, ev: ChannelWebhookEvent | undefined, stage) => {
      expectType<Equal<typeof stage, "onEvent" | "seen.claim" | "seen.finish" | "seen.release" | "parse">>(true);
      void [err, ev];
    },
  });
  createChannelWebhookHandler({ adminKey: "k", onEvent: () => {}, seen: redisSeenStore(ioredis, { client: "ioredis" }) });
  createChannelWebhookHandler({ adminKey: "k", onEvent: () => {}, seen: d1SeenStore(d1, { table: "seen" }) });
  const own: WebhookClaimStore = { claim: async () => "claimed" as const, finish: async () => true, release: () => false };
  createChannelWebhookHandler({ adminKey: "k", onEvent: () => {}, seen: own });
  // @ts-expect-error a claim store needs finish and release
  createChannelWebhookHandler({ adminKey: "k", onEvent: () => {}, seen: { claim: async () => "claimed" as const } });
  // @ts-expect-error claim answers a state, not a boolean
  createChannelWebhookHandler({ adminKey: "k", onEvent: () => {}, seen: { claim: async () => true, finish: () => true, release: () => true } });
  const d = await emu.deliverWebhook(handle, { event: "added", userId: 1n, channelPublicId: "_a" }, { resourceId: "r" });
  expectType<Equal<typeof d.status, number | null>>(true);
  expectType<Equal<typeof d.timedOut, boolean>>(true);
  try {
    return await handle(request);
  } catch (err) {
    if (err instanceof WebhookAuthError) expectType<Equal<typeof err.reason, "missing" | "scheme" | "mismatch">>(true);
    throw err;
  }
}

// validateCustomerFileUsers: synchronous, exact result types, the params checked like add's.
{
  const r = validateCustomerFileUsers({ userType: "phone", users: [{ id: "010-1234-5678", fields: { age: 3 } }], schema: { age: "number" } });
  expectType<Equal<typeof r, ValidateCustomerFileUsersResult>>(true);
  expectType<Equal<typeof r.errors, CustomerFileUserError[]>>(true);
  expectType<Equal<CustomerFileUserError["index"], number>>(true);
  expectType<Equal<CustomerFileUserError["duplicateOf"], number | undefined>>(true);
  // @ts-expect-error userType is "app" or "phone"
  validateCustomerFileUsers({ userType: "email", users: [] });
  // @ts-expect-error users is required
  validateCustomerFileUsers({ userType: "app" });
}

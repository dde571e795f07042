// kakao-talk-channel/testing — an in-memory Kakao Talk Channel server for tests.
//
// Written from Kakao's REST documentation (kakao-talk-channel-rest-api.txt), not from the SDK's
// Rust code, so that tests against it can catch the SDK's misreadings. It never imports the SDK.

const DEFAULT_BASE_URL = "https://kapi.kakao.test";
const MULTI_LIMIT = 200;
const MAX_USER_ID = 9223372036854775807n;
const FILE_SLOTS = 30;
const SCHEMA_LIMIT = 30;
const USERS_LIMIT = 2000;
// Kakao's supported schema keys ("Only Korean is supported for keys") and the English names its
// view answer uses inside the `schema` JSON string.
const SUPPORTED_KEYS = {
  생년월일: "birthday",
  국가: "country",
  지역: "region",
  성별: "gender",
  연령: "age",
  구매금액: "purchase_amount",
  포인트: "point",
  가입일: "signup_date",
  "최근 구매일": "recent_purchase_date",
  응모일: "event_application_date",
};
const FORBIDDEN_KEYS = ["앱유저아이디", "전화번호"];

/** Kakao-style error body. */
function kakaoError(status, code, msg) {
  return { status, body: { msg, code } };
}

/** JSON with bigint values written as exact number literals (Kakao's `user_id` is a Long). */
function toJson(value) {
  const marked = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `\u0000big:${v}` : v));
  return marked.replace(/"\\u0000big:(-?\d+)"/g, "$1");
}

/** Kakao's customer-file time: "2019-02-03 13:22:33" in KST (UTC+9). */
function kstText(date) {
  return new Date(date.getTime() + 9 * 3600 * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Digits of a phone number, with +82 written as a leading 0, for matching. */
function phoneDigits(phone) {
  let d = String(phone).replace(/[^\d+]/g, "");
  if (d.startsWith("+82")) d = "0" + d.slice(3);
  return d.replace(/\D/g, "");
}

/** Kakao's RFC3339 form without milliseconds: 2020-04-18T03:17:05Z. */
function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A user id as the canonical decimal string, or null when it is not a positive Long. */
function canonicalUserId(id) {
  const text = typeof id === "string" ? id.trim() : String(id);
  if (!/^\d+$/.test(text)) return null;
  const n = BigInt(text);
  if (n <= 0n || n > MAX_USER_ID) return null;
  return n.toString();
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(t);
      reject(signal.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function matches(pattern, value) {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(value);
  if (typeof pattern === "function") return Boolean(pattern(value));
  return pattern === value;
}

/**
 * Creates an emulator. Options: `adminKey`, `restApiKey` (defaults are fixed test values),
 * `baseUrl` (the origin its `fetch` answers for), `now()` (the clock for relation times).
 */
export function createKakaoEmulator(options = {}) {
  const adminKey = options.adminKey ?? "emulator0admin0key00000000000000";
  const restApiKey = options.restApiKey ?? "emulator0rest0api0key00000000000";
  const baseUrl = String(options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const now = options.now ?? (() => new Date());

  /** @type {Map<string, {publicId: string, uuid: string}>} */
  const channels = new Map();
  /** @type {Map<string, {id: string, talkUser: boolean, phone: string | undefined}>} */
  const users = new Map();
  const tokens = new Map(); // access token -> user id
  const relations = new Map(); // `${userId} ${publicId}` -> {relation, createdAt, updatedAt}
  const requests = [];
  const faultList = [];
  const files = new Map(); // file id -> {fileId, channelPublicId, fileName, schema, status, updatedAt, users}
  let nextFileId = 437;

  function addChannel(publicId, opts = {}) {
    if (typeof publicId !== "string" || publicId === "") throw new TypeError("addChannel: publicId must be a non-empty string");
    const channel = { publicId, uuid: opts.uuid ?? `@${publicId.replace(/^_/, "")}` };
    channels.set(publicId, channel);
    return channel;
  }

  function addUser(userId, opts = {}) {
    const id = canonicalUserId(userId);
    if (id === null) throw new TypeError(`addUser: not a positive 64-bit user id: ${userId}`);
    const prev = users.get(id);
    const user = {
      id,
      talkUser: opts.talkUser ?? prev?.talkUser ?? true,
      phone: opts.phone ?? prev?.phone,
    };
    users.set(id, user);
    return user;
  }

  function accessTokenFor(userId) {
    const user = users.get(canonicalUserId(userId)) ?? addUser(userId);
    const token = `emulator-token-${user.id}`;
    tokens.set(token, user.id);
    return token;
  }

  /** Sets a user's relation to a channel, as if the user pressed "add" or "block". */
  function setRelation(userId, publicId, relation, opts = {}) {
    const user = users.get(canonicalUserId(userId)) ?? addUser(userId);
    if (!channels.has(publicId)) addChannel(publicId);
    const at = opts.at ?? now();
    const key = `${user.id} ${publicId}`;
    const prev = relations.get(key);
    const next = { relation, createdAt: prev?.createdAt ?? null, updatedAt: at };
    if (relation === "ADDED" && prev?.relation !== "ADDED") next.createdAt = at;
    if (relation === "NONE") {
      next.createdAt = null;
      next.updatedAt = null;
    }
    relations.set(key, next);
  }

  function relationOf(userId, channel) {
    const r = relations.get(`${userId} ${channel.publicId}`);
    const out = {
      channel_uuid: channel.uuid,
      channel_public_id: channel.publicId,
      relation: r?.relation ?? "NONE",
    };
    // Kakao: created_at only when ADDED; updated_at when ADDED or BLOCKED.
    if (out.relation === "ADDED" && r?.createdAt) out.created_at = rfc3339(r.createdAt);
    if ((out.relation === "ADDED" || out.relation === "BLOCKED") && r?.updatedAt) {
      out.updated_at = rfc3339(r.updatedAt);
    }
    return out;
  }

  /** Parses `Authorization`; answers what kind of credential it is. */
  function authOf(request) {
    const header = request.headers.get("authorization");
    if (!header) return { error: kakaoError(401, -401, "no authentication key!") };
    const m = /^(KakaoAK|Bearer) (\S+)$/.exec(header);
    if (!m) return { error: kakaoError(401, -401, "wrong authorization header format") };
    const [, scheme, value] = m;
    if (scheme === "Bearer") {
      const userId = tokens.get(value);
      if (!userId) return { error: kakaoError(401, -401, "this access token does not exist") };
      return { kind: "token", userId };
    }
    if (value === adminKey) return { kind: "admin" };
    if (value === restApiKey) return { kind: "rest" };
    // Kakao echoes the key it did not recognise.
    return { error: kakaoError(401, -401, `wrong appKey(${value}) format`) };
  }

  function channelIdsParam(query, required) {
    const raw = query.get("channel_ids");
    if (raw === null) {
      return required ? { error: kakaoError(400, -2, "channel_ids is required") } : { ids: null };
    }
    const ids = raw.split(",");
    if (ids.some((id) => id === "" || /\s/.test(id))) {
      return { error: kakaoError(400, -2, `invalid channel_ids: ${raw}`) };
    }
    const type = query.get("channel_id_type");
    if (type !== null && type !== "channel_public_id") {
      return { error: kakaoError(400, -2, "channel_id_type must be channel_public_id") };
    }
    return { ids };
  }

  function channelsFor(ids) {
    // Channels Kakao does not know are left out of the answer.
    return (ids ?? [...channels.keys()]).map((id) => channels.get(id)).filter(Boolean);
  }

  function checkChannels(request, query) {
    const auth = authOf(request);
    if (auth.error) return auth.error;
    let userId;
    if (auth.kind === "token") {
      userId = auth.userId;
    } else if (auth.kind === "admin") {
      if (query.get("target_id_type") !== "user_id") {
        return kakaoError(400, -2, "target_id_type must be user_id");
      }
      userId = canonicalUserId(query.get("target_id") ?? "");
      if (userId === null) return kakaoError(400, -2, "target_id must be a positive Long");
    } else {
      return kakaoError(401, -401, "this API needs the service app admin key or a user access token");
    }
    const ch = channelIdsParam(query, true);
    if (ch.error) return ch.error;
    const user = users.get(userId);
    if (!user) return kakaoError(400, -101, "the user is not registered to this app");
    if (!user.talkUser) return kakaoError(400, -501, "given account is not connected to any talk user.");
    return {
      status: 200,
      body: { user_id: BigInt(user.id), channels: channelsFor(ch.ids).map((c) => relationOf(user.id, c)) },
    };
  }

  function checkMulti(request, query) {
    const auth = authOf(request);
    if (auth.error) return auth.error;
    if (auth.kind !== "admin") return kakaoError(401, -401, "this API needs the service app admin key");
    if (query.get("target_id_type") !== "user_id") return kakaoError(400, -2, "target_id_type must be user_id");
    const raw = query.get("target_ids");
    if (raw === null || raw === "") return kakaoError(400, -2, "target_ids is required");
    const ids = raw.split(",").map(canonicalUserId);
    if (ids.some((id) => id === null)) return kakaoError(400, -2, `invalid target_ids: ${raw}`);
    if (ids.length > MULTI_LIMIT) {
      return kakaoError(400, -2, `target_ids can have at most ${MULTI_LIMIT} ids, got ${ids.length}`);
    }
    const ch = channelIdsParam(query, false);
    if (ch.error) return ch.error;
    const list = channelsFor(ch.ids);
    // "The response does not include the user's information that failed to check."
    const body = ids
      .map((id) => users.get(id))
      .filter((u) => u && u.talkUser)
      .map((u) => ({ user_id: BigInt(u.id), channels: list.map((c) => relationOf(u.id, c)) }));
    return { status: 200, body };
  }

  /** Customer-file APIs take the REST API key. */
  function restAuth(request) {
    const auth = authOf(request);
    if (auth.error) return auth.error;
    if (auth.kind !== "rest") return kakaoError(401, -401, "this API needs the REST API key");
    return null;
  }

  /** The JSON body of a customer-file POST, or a Kakao-style error. */
  function jsonBody(request, text) {
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      return { error: kakaoError(400, -2, `Content-Type must be application/json, got ${type || "none"}`) };
    }
    try {
      const body = JSON.parse(text);
      if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
      return { body };
    } catch (err) {
      return { error: kakaoError(400, -2, `invalid JSON body: ${err.message}`) };
    }
  }

  function fileOf(body) {
    const file = files.get(body.file_id);
    if (!Number.isInteger(body.file_id) || !file || file.channelPublicId !== body.channel_public_id) {
      return { error: kakaoError(400, -816, `customer file ${body.file_id} does not exist for channel ${body.channel_public_id}`) };
    }
    if (body.user_type !== "app" && body.user_type !== "phone") {
      return { error: kakaoError(400, -2, "user_type must be app or phone") };
    }
    return { file };
  }

  function registerFile(request, _query, text) {
    const denied = restAuth(request);
    if (denied) return denied;
    const { body, error } = jsonBody(request, text);
    if (error) return error;
    const { channel_public_id: channelId, file_name: name, schema } = body;
    if (typeof channelId !== "string" || !channels.has(channelId)) {
      return kakaoError(400, -541, `the Kakao Talk Channel does not exist: ${channelId}`);
    }
    if (typeof name !== "string" || name.trim() === "") return kakaoError(400, -2, "file_name is required");
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
      return kakaoError(400, -2, "schema must be a JSON object");
    }
    const entries = Object.entries(schema);
    if (entries.length === 0 || entries.length > SCHEMA_LIMIT) {
      return kakaoError(400, -2, `schema must have 1 to ${SCHEMA_LIMIT} items, got ${entries.length}`);
    }
    for (const [key, type] of entries) {
      if (FORBIDDEN_KEYS.includes(key)) return kakaoError(400, -2, `schema key not allowed: ${key}`);
      if (type !== "string" && type !== "number") return kakaoError(400, -2, `schema type must be string or number: ${key}`);
      if (!(key in SUPPORTED_KEYS) && type !== "number") {
        return kakaoError(400, -2, `a new key must have the number type: ${key}`);
      }
    }
    const inChannel = [...files.values()].filter((f) => f.channelPublicId === channelId);
    if (inChannel.some((f) => f.fileName === name)) return kakaoError(400, -817, `file name already used: ${name}`);
    if (inChannel.length >= FILE_SLOTS) return kakaoError(400, -818, "no empty slot for a customer file");
    const fileId = nextFileId++;
    files.set(fileId, {
      fileId,
      channelPublicId: channelId,
      fileName: name,
      schema: new Map(entries),
      status: "USING",
      updatedAt: now(),
      users: new Map(),
    });
    return { status: 200, body: { file_id: fileId } };
  }

  function viewFiles(request, query) {
    const denied = restAuth(request);
    if (denied) return denied;
    const channelId = query.get("channel_public_id");
    if (!channelId) return kakaoError(400, -2, "channel_public_id is required");
    if (!channels.has(channelId)) return kakaoError(400, -541, `the Kakao Talk Channel does not exist: ${channelId}`);
    const list = [...files.values()].filter((f) => f.channelPublicId === channelId);
    const results = list.map((f) => ({
      file_id: f.fileId,
      file_name: f.fileName,
      status: f.status,
      update_at: kstText(f.updatedAt),
      // Kakao sends the schema as a JSON string, with English keys.
      schema: JSON.stringify(Object.fromEntries([...f.schema].map(([k, t]) => [SUPPORTED_KEYS[k] ?? k, t]))),
    }));
    return { status: 200, body: { results, empty_slot: FILE_SLOTS - list.length, using_slot: list.length } };
  }

  /** Has this user (app id, or phone registered for a user) added the file's channel? */
  function addedChannel(userType, id, channelPublicId) {
    let user;
    if (userType === "app") {
      user = users.get(canonicalUserId(id));
    } else {
      const digits = phoneDigits(id);
      user = [...users.values()].find((u) => u.phone !== undefined && phoneDigits(u.phone) === digits);
    }
    return Boolean(user) && relations.get(`${user.id} ${channelPublicId}`)?.relation === "ADDED";
  }

  function addUsers(request, _query, text) {
    const denied = restAuth(request);
    if (denied) return denied;
    const { body, error } = jsonBody(request, text);
    if (error) return error;
    const found = fileOf(body);
    if (found.error) return found.error;
    const { file } = found;
    const list = body.users;
    if (!Array.isArray(list) || list.length === 0) return kakaoError(400, -2, "users is required");
    if (list.length > USERS_LIMIT) return kakaoError(400, -2, `users can have at most ${USERS_LIMIT} items, got ${list.length}`);
    for (const u of list) {
      if (u === null || typeof u !== "object" || typeof u.id !== "string" || u.id === "") {
        return kakaoError(400, -2, "each user needs an id string");
      }
      if (u.field === undefined) continue;
      if (u.field === null || typeof u.field !== "object" || Array.isArray(u.field)) {
        return kakaoError(400, -2, "field must be a JSON object");
      }
      for (const [key, value] of Object.entries(u.field)) {
        const type = file.schema.get(key);
        if (type === undefined) return kakaoError(400, -2, `field key is not in the file's schema: ${key}`);
        if (typeof value !== type) return kakaoError(400, -2, `field ${key} must be a ${type}`);
      }
    }
    let success = 0;
    for (const u of list) {
      // Kakao quirk: a user without `field` (e.g. a misspelled `field_data`) is silently not added.
      if (u.field === undefined) continue;
      if (!addedChannel(body.user_type, u.id, file.channelPublicId)) continue;
      file.users.set(`${body.user_type}:${u.id}`, u.field);
      success += 1;
    }
    file.updatedAt = now();
    return { status: 200, body: { file_id: file.fileId, request_count: list.length, success_count: success } };
  }

  function deleteUsers(request, _query, text) {
    const denied = restAuth(request);
    if (denied) return denied;
    const { body, error } = jsonBody(request, text);
    if (error) return error;
    const found = fileOf(body);
    if (found.error) return found.error;
    const ids = body.user_ids;
    if (!Array.isArray(ids) || ids.length === 0) return kakaoError(400, -2, "user_ids is required");
    if (ids.length > USERS_LIMIT) return kakaoError(400, -2, `user_ids can have at most ${USERS_LIMIT} items`);
    if (ids.some((id) => typeof id !== "string")) return kakaoError(400, -2, "user_ids must be strings");
    for (const id of ids) found.file.users.delete(`${body.user_type}:${id}`);
    found.file.updatedAt = now();
    // "Even though your request succeeds, no response returns."
    return { status: 200, body: "" };
  }

  /** A customer file's state, for assertions: `users` maps `"app:<id>"`/`"phone:<id>"` to fields. */
  function customerFile(fileId) {
    return files.get(fileId);
  }

  const routes = {
    "GET /v2/api/talk/channels": checkChannels,
    "GET /v2/api/talk/channels/multi": checkMulti,
    "POST /v1/talkchannel/create/target_user_file": registerFile,
    "GET /v1/talkchannel/target_user_file": viewFiles,
    "POST /v1/talkchannel/update/target_users": addUsers,
    "POST /v1/talkchannel/delete/target_users": deleteUsers,
  };

  function takeFault(method, path, info) {
    const i = faultList.findIndex(
      (f) => f.remaining > 0 && matches(f.method, method) && matches(f.path, path) && (f.when === undefined || f.when(info)),
    );
    if (i < 0) return null;
    const f = faultList[i];
    if (f.skip > 0) {
      f.skip -= 1;
      return null;
    }
    f.remaining -= 1;
    f.hits += 1;
    return f;
  }

  /**
   * Answers one request: `{ status, headers, body, stall?, reset? }` where `body` is a string.
   * `signal` aborts a pending delay.
   */
  async function answer(request, signal) {
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    requests.push({
      method: request.method,
      url: request.url,
      path: url.pathname,
      target: url.pathname + url.search,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body: text,
      at: now(),
    });
    const fault = takeFault(request.method, url.pathname, requests.at(-1));
    if (fault?.delayMs) await sleep(fault.delayMs, signal);
    if (fault?.reset) return { reset: true };

    let result;
    if (fault?.status !== undefined) {
      result = { status: fault.status, body: fault.body ?? "" };
    } else {
      const route = routes[`${request.method} ${url.pathname}`];
      const known = Object.keys(routes).some((k) => k.endsWith(` ${url.pathname}`));
      result = route
        ? route(request, url.searchParams, text)
        : known
          ? { status: 405, body: { msg: "method not allowed" } }
          : { status: 404, body: { msg: `no such API: ${url.pathname}` } };
    }
    let body = typeof result.body === "string" ? result.body : toJson(result.body);
    const headers = { "content-type": "application/json;charset=UTF-8", ...(fault?.headers ?? {}) };
    if (fault?.html) {
      body = "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>";
      headers["content-type"] = "text/html";
    }
    if (fault?.truncate) body = body.slice(0, Math.floor(body.length / 2));
    if (fault?.empty) body = "";
    if (fault?.contentType) headers["content-type"] = fault.contentType;
    return { status: fault?.html && fault.status === undefined ? 502 : result.status, headers, body, stall: Boolean(fault?.stall) };
  }

  /** A `typeof fetch` that needs no socket. Honours `init.signal` like a real fetch. */
  async function emulatorFetch(input, init) {
    const request = new Request(input, init);
    const signal = init?.signal ?? request.signal;
    if (signal?.aborted) throw signal.reason;
    const out = await answer(request, signal);
    if (signal?.aborted) throw signal.reason;
    if (out.reset) {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    }
    let body = out.body;
    if (out.stall) {
      body = new ReadableStream({
        start(controller) {
          signal?.addEventListener("abort", () => controller.error(signal.reason), { once: true });
        },
      });
    }
    return new Response(out.status === 204 ? null : body, { status: out.status, headers: out.headers });
  }

  const faults = {
    /**
     * For the next `times` requests matching `method` and `path` (string, RegExp or function)
     * and `when(request)` (the logged request: method, path, query, headers, body), after
     * letting `after` of them through:
     * `status` with `body` and `headers` (e.g. `{"retry-after": "1"}`), `delayMs` before
     * answering, `stall` (headers, then a body that never ends), `reset` (connection reset /
     * rejected fetch), `truncate`, `html`, `empty`, `contentType`.
     */
    add(spec) {
      const f = { times: 1, after: 0, ...spec, hits: 0 };
      f.remaining = f.times;
      f.skip = f.after;
      if (f.body !== undefined && typeof f.body !== "string") f.body = toJson(f.body);
      faultList.push(f);
      return f;
    },
    clear() {
      faultList.length = 0;
    },
    get pending() {
      return faultList.filter((f) => f.remaining > 0).length;
    },
  };

  const webhooks = [];
  let nextDelivery = 1;

  /**
   * Sends a channel webhook delivery exactly as Kakao does: POST with
   * `Authorization: KakaoAK <adminKey>`, a fresh `X-Kakao-Resource-ID`,
   * `User-Agent: KakaoOpenAPI/1.0` and the JSON body, following no redirects and waiting at most
   * 3 seconds. `target` is a URL (sent with the global `fetch`) or a handler
   * `(request) => Promise<Response>` (called directly). `delivery` overrides parts of it for
   * tests: `resourceId` (to redeliver), `adminKey`, `headers` (a null value removes one),
   * `method`, `body` (raw text instead of the JSON).
   */
  async function deliverWebhook(target, event, delivery = {}) {
    const userId = String(event.userId ?? event.id);
    const publicId = event.channelPublicId;
    const channel = channels.get(publicId) ?? { publicId, uuid: `@${String(publicId).replace(/^_/, "")}` };
    const updatedAt = event.updatedAt ?? now();
    const payload = { event: event.event ?? "added", id: userId, id_type: event.idType ?? "app_user_id" };
    if (event.legacy) {
      payload.plus_friend_public_id = channel.publicId;
      payload.plus_friend_uuid = event.channelUuid ?? channel.uuid;
    } else {
      payload.channel_public_id = channel.publicId;
      payload.channel_uuid = event.channelUuid ?? channel.uuid;
    }
    payload.updated_at = rfc3339(updatedAt);
    const resourceId = delivery.resourceId ?? `emulator-delivery-${nextDelivery++}`;
    const headers = new Headers({
      authorization: `KakaoAK ${delivery.adminKey ?? adminKey}`,
      "x-kakao-resource-id": resourceId,
      "user-agent": "KakaoOpenAPI/1.0",
      "content-type": "application/json",
    });
    for (const [k, v] of Object.entries(delivery.headers ?? {})) {
      if (v === null) headers.delete(k);
      else headers.set(k, v);
    }
    const method = delivery.method ?? "POST";
    const body = method === "GET" || method === "HEAD" ? undefined : (delivery.body ?? JSON.stringify(payload));
    const started = Date.now();
    const timeout = AbortSignal.timeout(3000);
    let response;
    if (typeof target === "function") {
      const url = delivery.url ?? "https://service.example/kakao/webhook";
      response = await Promise.race([
        target(new Request(url, { method, headers, body, signal: timeout })),
        new Promise((_, reject) => timeout.addEventListener("abort", () => reject(timeout.reason), { once: true })),
      ]);
    } else {
      response = await fetch(String(target), { method, headers, body, redirect: "manual", signal: timeout });
    }
    const text = await response.text();
    const record = {
      resourceId,
      payload,
      status: response.status,
      // Kakao's callback doc has said, in one published version, that any status but "200 OK"
      // counts as a failed delivery (the current one says any 2xx within 3 seconds): the
      // stricter reading, so a handler passing here passes with either.
      delivered: response.status === 200,
      ms: Date.now() - started,
      responseBody: text,
    };
    webhooks.push(record);
    return record;
  }

  return {
    fetch: emulatorFetch,
    deliverWebhook,
    webhooks,
    answer,
    baseUrl,
    adminKey,
    restApiKey,
    accessTokenFor,
    addUser,
    addChannel,
    setRelation,
    customerFile,
    requests,
    faults,
  };
}

/**
 * Serves an emulator over HTTP on loopback (Node). Resolves to `{ url, emulator, close() }`.
 */
export async function startKakaoEmulatorServer(options = {}) {
  const { createServer } = await import("node:http");
  const host = options.host ?? "127.0.0.1";
  const emulator = options.emulator ?? createKakaoEmulator();
  let origin = "";
  const server = createServer(async (req, res) => {
    const aborter = new AbortController();
    res.on("close", () => aborter.abort(new Error("client went away")));
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      }
      const request = new Request(`${origin}${req.url}`, {
        method: req.method,
        headers,
        body: hasBody ? Buffer.concat(chunks) : undefined,
      });
      const out = await emulator.answer(request, aborter.signal);
      if (out.reset) {
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status, out.headers);
      if (out.stall) {
        res.flushHeaders();
        return; // the body never comes; the client's timeout ends it
      }
      res.end(out.body);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ msg: `emulator error: ${err?.message ?? err}`, code: -1 }));
      }
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address();
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: origin,
    emulator,
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

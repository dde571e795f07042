// The six endpoints, read from Kakao's REST documentation for Kakao Talk Channel: each parses its
// request (credentials, query, JSON body) and answers as Kakao does, from and into the state.
// Part of the emulator: it never imports the SDK.
import {
  FILE_SLOTS,
  FORBIDDEN_KEYS,
  MULTI_LIMIT,
  SCHEMA_LIMIT,
  SUPPORTED_KEYS,
  USERS_LIMIT,
  canonicalUserId,
  kakaoError,
  kstText,
  phoneDigits,
  rfc3339,
  supportedKeyOf,
} from "./kakao.js";
/** @import * as T from "./index.js" */
/** @import { Reply } from "./kakao.js" */
/** @import { Channel, State, User } from "./state.js" */
/** @typedef {(request: Request, query: URLSearchParams, body: Body) => Reply} Route */
/**
 * A request's body: `json()` reads its text as JSON, at most once (`{ value }`, or `{ error }`:
 * what `JSON.parse` threw).
 * @typedef {{ json(): { value: unknown; error?: undefined } | { error: unknown; value?: undefined } }} Body
 */
/**
 * `Authorization` read: a Kakao error, a user's token, or an app key.
 * @typedef {{ error: Reply; kind?: undefined; userId?: undefined }
 *   | { error?: undefined; kind: "token"; userId: string }
 *   | { error?: undefined; kind: "admin" | "rest"; userId?: undefined }} Auth
 */

/**
 * A request's body text as a `Body`: emulator.js reads its JSON while an answer's delay runs
 * (reading it changes nothing), the route then uses what was read.
 * @param {string} text
 * @returns {Body}
 */
export function bodyOf(text) {
  /** @type {ReturnType<Body["json"]> | undefined} */
  let read;
  return {
    json() {
      if (read === undefined) {
        try {
          read = { value: JSON.parse(text) };
        } catch (error) {
          read = { error };
        }
      }
      return read;
    },
  };
}

/**
 * The router over `state`: `route(request, url, body)` answers `{ status, body }` (`body` an object
 * to serialise, or a string), 404 for an unknown path and 405 for a known path's other methods.
 * @param {State} state
 * @returns {(request: Request, url: URL, body: Body) => Reply}
 */
export function createRouter(state) {
  const { channels, users, tokens, relations, files, now } = state;

  /**
   * @param {string} userId
   * @param {Channel} channel
   */
  function relationOf(userId, channel) {
    const r = relations.get(channel.publicId)?.get(userId);
    /** @type {{ channel_uuid: string; channel_public_id: string; relation: T.Relation; created_at?: string; updated_at?: string }} */
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

  /**
   * Parses `Authorization`; answers what kind of credential it is.
   * @param {Request} request
   * @returns {Auth}
   */
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
    if (value === state.adminKey) return { kind: "admin" };
    if (value === state.restApiKey) return { kind: "rest" };
    // Kakao echoes the key it did not recognise.
    return { error: kakaoError(401, -401, `wrong appKey(${value}) format`) };
  }

  /**
   * @param {URLSearchParams} query
   * @param {boolean} required
   * @returns {{ error: Reply; ids?: undefined } | { error?: undefined; ids: string[] | null }}
   */
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

  /**
   * @param {string[] | null} ids
   * @returns {Channel[]}
   */
  function channelsFor(ids) {
    // Channels Kakao does not know are left out of the answer.
    return /** @type {Channel[]} */ ((ids ?? [...channels.keys()]).map((id) => channels.get(id)).filter(Boolean));
  }

  /** @type {Route} */
  function checkChannels(request, query) {
    const auth = authOf(request);
    if (auth.error) return auth.error;
    /** @type {string | null} */
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

  /** @type {Route} */
  function checkMulti(request, query) {
    const auth = authOf(request);
    if (auth.error) return auth.error;
    if (auth.kind !== "admin") return kakaoError(401, -401, "this API needs the service app admin key");
    if (query.get("target_id_type") !== "user_id") return kakaoError(400, -2, "target_id_type must be user_id");
    const raw = query.get("target_ids");
    if (raw === null || raw === "") return kakaoError(400, -2, "target_ids is required");
    const read = raw.split(",").map(canonicalUserId);
    if (read.some((id) => id === null)) return kakaoError(400, -2, `invalid target_ids: ${raw}`);
    const ids = /** @type {string[]} */ (read);
    if (ids.length > MULTI_LIMIT) {
      return kakaoError(400, -2, `target_ids can have at most ${MULTI_LIMIT} ids, got ${ids.length}`);
    }
    const ch = channelIdsParam(query, false);
    if (ch.error) return ch.error;
    const list = channelsFor(ch.ids);
    // "The response does not include the user's information that failed to check."
    const found = /** @type {User[]} */ (ids.map((id) => users.get(id)).filter((u) => u?.talkUser));
    const body = found.map((u) => ({ user_id: BigInt(u.id), channels: list.map((c) => relationOf(u.id, c)) }));
    return { status: 200, body };
  }

  /**
   * Customer-file APIs take the REST API key.
   * @param {Request} request
   */
  function restAuth(request) {
    const auth = authOf(request);
    if (auth.error) return auth.error;
    if (auth.kind !== "rest") return kakaoError(401, -401, "this API needs the REST API key");
    return null;
  }

  /**
   * The JSON body of a customer-file POST, or a Kakao-style error.
   * @param {Request} request
   * @param {Body} payload
   * @returns {{ error: Reply; body?: undefined } | { error?: undefined; body: any }}
   */
  function jsonBody(request, payload) {
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      return { error: kakaoError(400, -2, `Content-Type must be application/json, got ${type || "none"}`) };
    }
    const read = payload.json();
    const body = read.value;
    if (read.error !== undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
      const why = read.error === undefined ? "not an object" : /** @type {Error} */ (read.error).message;
      return { error: kakaoError(400, -2, `invalid JSON body: ${why}`) };
    }
    return { body };
  }

  /**
   * @param {any} body the request's JSON
   * @returns {{ error: Reply; file?: undefined } | { error?: undefined; file: T.CustomerFileState }}
   */
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

  /** @type {Route} */
  function registerFile(request, _query, payload) {
    const denied = restAuth(request);
    if (denied) return denied;
    const { body, error } = jsonBody(request, payload);
    if (error) return error;
    const { channel_public_id: channelId, file_name: name, schema } = body;
    if (typeof channelId !== "string" || !channels.has(channelId)) {
      return kakaoError(400, -541, `the Kakao Talk Channel does not exist: ${channelId}`);
    }
    if (typeof name !== "string" || name.trim() === "") return kakaoError(400, -2, "file_name is required");
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
      return kakaoError(400, -2, "schema must be a JSON object");
    }
    /** @type {[string, unknown][]} */
    const entries = Object.entries(schema);
    if (entries.length === 0 || entries.length > SCHEMA_LIMIT) {
      return kakaoError(400, -2, `schema must have 1 to ${SCHEMA_LIMIT} items, got ${entries.length}`);
    }
    for (const entry of entries) {
      const [key, type] = entry;
      if (FORBIDDEN_KEYS.includes(key)) return kakaoError(400, -2, `schema key not allowed: ${key}`);
      // "Value type: String or Number": the document capitalises them, its sample writes them in
      // lower case; either is accepted, in any case, and stored in lower case.
      const lower = typeof type === "string" ? type.toLowerCase() : type;
      if (lower !== "string" && lower !== "number") return kakaoError(400, -2, `schema type must be string or number: ${key}`);
      if (!(key in SUPPORTED_KEYS) && lower !== "number") {
        return kakaoError(400, -2, `a new key must have the number type: ${key}`);
      }
      entry[1] = lower;
    }
    const inChannel = [...files.values()].filter((f) => f.channelPublicId === channelId);
    if (inChannel.some((f) => f.fileName === name)) return kakaoError(400, -817, `file name already used: ${name}`);
    if (inChannel.length >= FILE_SLOTS) return kakaoError(400, -818, "no empty slot for a customer file");
    const fileId = state.takeFileId();
    files.set(fileId, {
      fileId,
      channelPublicId: channelId,
      fileName: name,
      schema: /** @type {Map<string, "string" | "number">} */ (new Map(entries)), // each type checked above
      status: "USING",
      updatedAt: now(),
      users: new Map(),
    });
    return { status: 200, body: { file_id: fileId } };
  }

  /** @type {Route} */
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

  /**
   * Has this user (app id, or phone registered for a user) added the channel whose relations
   * are `ofChannel` (none: no user has a relation to it)?
   * @param {"app" | "phone"} userType
   * @param {string} id
   * @param {Map<string, { relation: T.Relation }> | undefined} ofChannel
   */
  function addedChannel(userType, id, ofChannel) {
    // A relation is only ever set for a user that exists (setRelation adds it) and users are
    // never removed: an app id's relation is looked up by the id itself.
    if (ofChannel === undefined) return false;
    let userId;
    if (userType === "app") {
      userId = canonicalUserId(id); // null: none
    } else {
      const digits = phoneDigits(id);
      userId = [...users.values()].find((u) => u.phone !== undefined && phoneDigits(u.phone) === digits)?.id;
    }
    return typeof userId === "string" && ofChannel.get(userId)?.relation === "ADDED";
  }

  /** @type {Route} */
  function addUsers(request, _query, payload) {
    const denied = restAuth(request);
    if (denied) return denied;
    const { body, error } = jsonBody(request, payload);
    if (error) return error;
    const found = fileOf(body);
    if (found.error) return found.error;
    const { file } = found;
    const list = body.users;
    if (!Array.isArray(list) || list.length === 0) return kakaoError(400, -2, "users is required");
    if (list.length > USERS_LIMIT) return kakaoError(400, -2, `users can have at most ${USERS_LIMIT} items, got ${list.length}`);
    /** The schema's type of each key met in this request (users repeat their keys). @type {Map<string, string | undefined>} */
    const typeOf = new Map();
    for (const u of list) {
      if (u === null || typeof u !== "object" || typeof u.id !== "string" || u.id === "") {
        return kakaoError(400, -2, "each user needs an id string");
      }
      if (u.field === undefined) continue;
      if (u.field === null || typeof u.field !== "object" || Array.isArray(u.field)) {
        return kakaoError(400, -2, "field must be a JSON object");
      }
      const field = u.field;
      for (const key of Object.keys(field)) {
        const value = field[key];
        // The document's own sample sends `"age": 19` to a file registered with 연령.
        let type = typeOf.get(key);
        if (type === undefined && !typeOf.has(key)) {
          type = file.schema.get(key) ?? file.schema.get(supportedKeyOf(key));
          typeOf.set(key, type);
        }
        if (type === undefined) return kakaoError(400, -2, `field key is not in the file's schema: ${key}`);
        if (typeof value !== type) return kakaoError(400, -2, `field ${key} must be a ${type}`);
      }
    }
    let success = 0;
    const ofChannel = relations.get(file.channelPublicId);
    for (const u of list) {
      // Kakao quirk: a user without `field` (e.g. a misspelled `field_data`) is silently not added.
      if (u.field === undefined) continue;
      if (!addedChannel(body.user_type, u.id, ofChannel)) continue;
      file.users.set(`${body.user_type}:${u.id}`, u.field);
      success += 1;
    }
    file.updatedAt = now();
    return { status: 200, body: { file_id: file.fileId, request_count: list.length, success_count: success } };
  }

  /** @type {Route} */
  function deleteUsers(request, _query, payload) {
    const denied = restAuth(request);
    if (denied) return denied;
    const { body, error } = jsonBody(request, payload);
    if (error) return error;
    const found = fileOf(body);
    if (found.error) return found.error;
    const ids = body.user_ids;
    if (!Array.isArray(ids) || ids.length === 0) return kakaoError(400, -2, "user_ids is required");
    if (ids.length > USERS_LIMIT) return kakaoError(400, -2, `user_ids can have at most ${USERS_LIMIT} items`);
    // The document types user_ids only as "JSON[]" (its sample sends strings): strings and
    // integers are both accepted, an integer read as its decimal string.
    const valid = (/** @type {unknown} */ id) => (typeof id === "string" && id !== "") || (typeof id === "number" && Number.isSafeInteger(id));
    if (!ids.every(valid)) return kakaoError(400, -2, "user_ids must be strings or integers");
    for (const id of ids) found.file.users.delete(`${body.user_type}:${String(id)}`);
    found.file.updatedAt = now();
    // "Even though your request succeeds, no response returns."
    return { status: 200, body: "" };
  }

  /** @type {Record<string, Route>} */
  const routes = {
    "GET /v2/api/talk/channels": checkChannels,
    "GET /v2/api/talk/channels/multi": checkMulti,
    "POST /v1/talkchannel/create/target_user_file": registerFile,
    "GET /v1/talkchannel/target_user_file": viewFiles,
    "POST /v1/talkchannel/update/target_users": addUsers,
    "POST /v1/talkchannel/delete/target_users": deleteUsers,
  };

  return function route(request, url, payload) {
    const handler = routes[`${request.method} ${url.pathname}`];
    if (handler) return handler(request, url.searchParams, payload);
    const known = Object.keys(routes).some((k) => k.endsWith(` ${url.pathname}`));
    // Kakao-style bodies: the document gives no code for these, so the closest of Kakao's
    // table: -3 (API not supported) for an unknown path, -2 (bad request) for a wrong method.
    return known
      ? kakaoError(405, -2, `method not allowed: ${request.method} ${url.pathname}`)
      : kakaoError(404, -3, `no such API: ${url.pathname}`);
  };
}

// The emulator's state: keys, channels, users and their access tokens, relations, customer files,
// and the logs of requests received and webhooks sent; with the set-up calls tests use.
// Part of the emulator: it never imports the SDK.
import { canonicalUserId } from "./kakao.js";
/** @import * as T from "./index.js" */
/** @typedef {ReturnType<typeof createState>} State */
/** @typedef {{ publicId: string; uuid: string }} Channel */
/** @typedef {{ id: string; talkUser: boolean; phone: string | undefined }} User */
/** @typedef {{ relation: T.Relation; createdAt: Date | null; updatedAt: Date | null }} RelationState */

const DEFAULT_BASE_URL = "https://kapi.kakao.test";

/**
 * The state for `createKakaoEmulator(options)`.
 * @param {T.EmulatorOptions} [options]
 */
export function createState(options = {}) {
  const state = {
    adminKey: options.adminKey ?? "emulator0admin0key00000000000000",
    restApiKey: options.restApiKey ?? "emulator0rest0api0key00000000000",
    baseUrl: String(options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
    now: options.now ?? (() => new Date()),
    /** @type {Map<string, Channel>} */
    channels: new Map(),
    /** @type {Map<string, User>} */
    users: new Map(),
    /** @type {Map<string, string>} access token -> user id */
    tokens: new Map(),
    /** @type {Map<string, Map<string, RelationState>>} channel public id -> user id -> the relation (one map per channel: an add of 2,000 users looks up 2,000 ids without making a key string for each) */
    relations: new Map(),
    /** @type {Map<number, T.CustomerFileState>} file id -> the file */
    files: new Map(),
    /** @type {T.EmulatorRequest[]} */
    requests: [],
    /** @type {T.WebhookDelivery[]} */
    webhooks: [],
    addChannel,
    addUser,
    accessTokenFor,
    setRelation,
    customerFile,
    takeFileId,
  };
  const { now } = state;
  let nextFileId = 437;

  /** @type {T.KakaoEmulator["addChannel"]} */
  function addChannel(publicId, opts = {}) {
    if (typeof publicId !== "string" || publicId === "") throw new TypeError("addChannel: publicId must be a non-empty string");
    const channel = { publicId, uuid: opts.uuid ?? `@${publicId.replace(/^_/, "")}` };
    state.channels.set(publicId, channel);
    return channel;
  }

  /** @type {T.KakaoEmulator["addUser"]} */
  function addUser(userId, opts = {}) {
    const id = canonicalUserId(userId);
    if (id === null) throw new TypeError(`addUser: not a positive 64-bit user id: ${userId}`);
    const prev = state.users.get(id);
    const user = {
      id,
      talkUser: opts.talkUser ?? prev?.talkUser ?? true,
      phone: opts.phone ?? prev?.phone,
    };
    state.users.set(id, user);
    return user;
  }

  /** @type {T.KakaoEmulator["accessTokenFor"]} */
  function accessTokenFor(userId) {
    const user = state.users.get(/** @type {string} */ (canonicalUserId(userId))) ?? addUser(userId); // null: none
    const token = `emulator-token-${user.id}`;
    state.tokens.set(token, user.id);
    return token;
  }

  /**
   * Sets a user's relation to a channel, as if the user pressed "add" or "block".
   * @type {T.KakaoEmulator["setRelation"]}
   */
  function setRelation(userId, publicId, relation, opts = {}) {
    const user = state.users.get(/** @type {string} */ (canonicalUserId(userId))) ?? addUser(userId); // null: none
    if (!state.channels.has(publicId)) addChannel(publicId);
    const at = opts.at ?? now();
    let ofChannel = state.relations.get(publicId);
    if (ofChannel === undefined) {
      ofChannel = new Map();
      state.relations.set(publicId, ofChannel);
    }
    const prev = ofChannel.get(user.id);
    /** @type {RelationState} */
    const next = { relation, createdAt: prev?.createdAt ?? null, updatedAt: at };
    if (relation === "ADDED" && prev?.relation !== "ADDED") next.createdAt = at;
    if (relation === "NONE") {
      next.createdAt = null;
      next.updatedAt = null;
    }
    ofChannel.set(user.id, next);
  }

  /**
   * A customer file's state, for assertions: `users` maps `"app:<id>"`/`"phone:<id>"` to fields.
   * @type {T.KakaoEmulator["customerFile"]}
   */
  function customerFile(fileId) {
    return state.files.get(fileId);
  }

  /** The id for the next registered customer file. */
  function takeFileId() {
    return nextFileId++;
  }

  return state;
}

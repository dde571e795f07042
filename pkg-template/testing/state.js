// The emulator's state: keys, channels, users and their access tokens, relations, customer files,
// and the logs of requests received and webhooks sent; with the set-up calls tests use.
// Part of the emulator: it never imports the SDK.
import { canonicalUserId } from "./kakao.js";

const DEFAULT_BASE_URL = "https://kapi.kakao.test";

/** The state for `createKakaoEmulator(options)`. */
export function createState(options = {}) {
  const state = {
    adminKey: options.adminKey ?? "emulator0admin0key00000000000000",
    restApiKey: options.restApiKey ?? "emulator0rest0api0key00000000000",
    baseUrl: String(options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
    now: options.now ?? (() => new Date()),
    /** @type {Map<string, {publicId: string, uuid: string}>} */
    channels: new Map(),
    /** @type {Map<string, {id: string, talkUser: boolean, phone: string | undefined}>} */
    users: new Map(),
    tokens: new Map(), // access token -> user id
    relations: new Map(), // `${userId} ${publicId}` -> {relation, createdAt, updatedAt}
    files: new Map(), // file id -> {fileId, channelPublicId, fileName, schema, status, updatedAt, users}
    requests: [],
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

  function addChannel(publicId, opts = {}) {
    if (typeof publicId !== "string" || publicId === "") throw new TypeError("addChannel: publicId must be a non-empty string");
    const channel = { publicId, uuid: opts.uuid ?? `@${publicId.replace(/^_/, "")}` };
    state.channels.set(publicId, channel);
    return channel;
  }

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

  function accessTokenFor(userId) {
    const user = state.users.get(canonicalUserId(userId)) ?? addUser(userId);
    const token = `emulator-token-${user.id}`;
    state.tokens.set(token, user.id);
    return token;
  }

  /** Sets a user's relation to a channel, as if the user pressed "add" or "block". */
  function setRelation(userId, publicId, relation, opts = {}) {
    const user = state.users.get(canonicalUserId(userId)) ?? addUser(userId);
    if (!state.channels.has(publicId)) addChannel(publicId);
    const at = opts.at ?? now();
    const key = `${user.id} ${publicId}`;
    const prev = state.relations.get(key);
    const next = { relation, createdAt: prev?.createdAt ?? null, updatedAt: at };
    if (relation === "ADDED" && prev?.relation !== "ADDED") next.createdAt = at;
    if (relation === "NONE") {
      next.createdAt = null;
      next.updatedAt = null;
    }
    state.relations.set(key, next);
  }

  /** A customer file's state, for assertions: `users` maps `"app:<id>"`/`"phone:<id>"` to fields. */
  function customerFile(fileId) {
    return state.files.get(fileId);
  }

  /** The id for the next registered customer file. */
  function takeFileId() {
    return nextFileId++;
  }

  return state;
}

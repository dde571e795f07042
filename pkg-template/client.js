// TalkChannelClient: the public class. A thin JS shell over the wasm client (src/wasm): each
// method reads the caller's arguments here, inside `try` (pack.js packs them into one
// string before the call enters wasm), runs them through the one wasm runner, and turns what
// comes back into the result (JSON, `Date`s made here) or the error class (errors.js). Every
// rule is the wasm's; this file holds none.
import { WasmClient, __maxKeys, __validateCustomerFileUsers } from "./kakao_talk_channel.js";
import { __setErrorMaker, loggerShape, parseResult, withMetadata } from "./marshal.js";
import { __setMaxKeys, pack } from "./pack.js";
import { fromRecord, __fail as fail } from "./errors.js";
import { readEnv } from "./env.js";
/** @import * as Api from "./client.js" */

// Drift check. The public types are client.d.ts, written by hand (they are more precise than
// JSDoc inferred from this file could make them: generics, overloads, readonly inputs, docs);
// this file is checked against them by tsc --checkJs under strict (tsconfig.checkjs.json, npm
// test), where `./client.js` names client.d.ts: the class `@implements` the declared class and
// each method and function is typed as declared (so its parameters are the declared ones and
// what it returns must fit the declared result), the constructor takes exactly the declared
// parameters, and the exports are exactly the declared values. A drift either way is a compile
// error. Comments only: nothing here runs.
/**
 * @template {never} T
 * @typedef {T} None
 */
/**
 * @template {U} T
 * @template U
 * @typedef {T} Fits
 */
/**
 * @typedef {[
 *   None<Exclude<keyof typeof import("./client.js"), keyof { TalkChannelClient: typeof TalkChannelClient; validateCustomerFileUsers: typeof validateCustomerFileUsers }>>,
 *   None<Exclude<keyof TalkChannelClient, keyof Api.TalkChannelClient>>,
 *   Fits<ConstructorParameters<typeof TalkChannelClient>, ConstructorParameters<typeof Api.TalkChannelClient>>,
 *   Fits<ConstructorParameters<typeof Api.TalkChannelClient>, ConstructorParameters<typeof TalkChannelClient>>,
 * ]} DriftCheck
 */

__setErrorMaker(fromRecord);

let limitsSet = false;
/** Tells pack.js the wasm's key limit (defined in Rust), once the wasm is loaded. */
function limits() {
  if (!limitsSet) {
    __setMaxKeys(__maxKeys());
    limitsSet = true;
  }
}

/** The variables the client reads when the matching option is absent or `undefined`. */
const ENV_NAMES = ["KAKAO_ADMIN_KEY", "KAKAO_REST_API_KEY", "KAKAO_BASE_URL", "KAKAO_TALK_CHANNEL_LOG"];

/**
 * The set variables of ENV_NAMES as JSON `{ name: value }`, for the wasm, which decides what
 * they mean (and ignores them in a browser). Workers pass their `env` bindings as options.
 */
function envJson() {
  /** @type {Record<string, string>} */
  const env = {};
  for (const name of ENV_NAMES) {
    const v = readEnv(name);
    if (v !== undefined) env[name] = v;
  }
  return JSON.stringify(env);
}

const USERS = "users";

/**
 * Kakao Talk Channel REST API client.
 *
 * ```ts
 * const kakao = new TalkChannelClient(); // KAKAO_ADMIN_KEY, KAKAO_REST_API_KEY, KAKAO_BASE_URL from the environment
 * const { channels } = await kakao.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234" });
 * ```
 */
/** @implements {Api.TalkChannelClient} */
export class TalkChannelClient {
  /** @type {WasmClient} */
  #wasm;

  /** @param {Api.ClientOptions} [options] */
  constructor(options) {
    limits();
    const { text, handles, kept } = pack([options], undefined, "logger");
    const shape = loggerShape(kept);
    try {
      this.#wasm = new WasmClient(text, handles, envJson(), shape);
    } catch (thrown) {
      throw fail(thrown);
    }
  }

  /**
   * Runs one method: the caller's values read and packed here, then one wasm call. The result's
   * type is the declared one of `method` (the wasm's JSON, checked in Rust).
   * @param {string} method
   * @param {unknown} params
   * @param {unknown} options
   * @returns {Promise<any>}
   */
  async #run(method, params, options) {
    const { text, handles, chunks } = pack([params, options], method === "addCustomerFileUsers" ? USERS : undefined);
    let outcome;
    try {
      outcome = await this.#wasm.call(method, text, handles, chunks);
    } catch (thrown) {
      // Made here, after the await: the stack holds the caller's async frames.
      throw fail(thrown);
    }
    return withMetadata(outcome);
  }

  /** @type {Api.TalkChannelClient["checkChannelRelationship"]} */
  checkChannelRelationship(params, options) {
    return this.#run("checkChannelRelationship", params, options);
  }

  /** @type {Api.TalkChannelClient["checkChannelRelationshipMulti"]} */
  checkChannelRelationshipMulti(params, options) {
    return this.#run("checkChannelRelationshipMulti", params, options);
  }

  /** @type {Api.TalkChannelClient["registerCustomerFile"]} */
  registerCustomerFile(params, options) {
    return this.#run("registerCustomerFile", params, options);
  }

  /** @type {Api.TalkChannelClient["listCustomerFiles"]} */
  listCustomerFiles(params, options) {
    return this.#run("listCustomerFiles", params, options);
  }

  /** @type {Api.TalkChannelClient["addCustomerFileUsers"]} */
  addCustomerFileUsers(params, options) {
    return this.#run("addCustomerFileUsers", params, options);
  }

  /** @type {Api.TalkChannelClient["deleteCustomerFileUsers"]} */
  deleteCustomerFileUsers(params, options) {
    return this.#run("deleteCustomerFileUsers", params, options);
  }
}

/**
 * Checks every user of a would-be `addCustomerFileUsers` call with exactly its rules, without
 * a client or a request; see the README.
 * @type {typeof Api.validateCustomerFileUsers}
 */
export function validateCustomerFileUsers(params) {
  limits();
  const { text, chunks } = pack([params], USERS);
  try {
    return parseResult(__validateCustomerFileUsers(text, chunks));
  } catch (thrown) {
    throw fail(thrown);
  }
}

// TalkChannelClient: the public class. A thin JS shell over the wasm client (src/wasm): each
// method reads the caller's arguments here, inside `try` (marshal.js packs them into one
// string before the call enters wasm), runs them through the one wasm runner, and turns what
// comes back into the result (JSON, `Date`s made here) or the error class (errors.js). Every
// rule is the wasm's; this file holds none.
import { WasmClient, __maxKeys, __validateCustomerFileUsers } from "./kakao_talk_channel.js";
import { __setErrorMaker, __setMaxKeys, pack, parseResult } from "./marshal.js";
import { fromRecord, __fail as fail } from "./errors.js";

__setErrorMaker(fromRecord);

let limitsSet = false;
/** Tells marshal.js the wasm's key limit (defined in Rust), once the wasm is loaded. */
function limits() {
  if (!limitsSet) {
    __setMaxKeys(__maxKeys());
    limitsSet = true;
  }
}

/** `KAKAO_TALK_CHANNEL_LOG`, where the runtime has an environment and lets us read it. */
function envLevel() {
  try {
    const p = globalThis.process;
    if (p?.env && typeof p.env.KAKAO_TALK_CHANNEL_LOG === "string") return p.env.KAKAO_TALK_CHANNEL_LOG;
  } catch {
    // No environment, or no permission to read it.
  }
  try {
    const v = globalThis.Deno?.env?.get("KAKAO_TALK_CHANNEL_LOG");
    if (typeof v === "string") return v;
  } catch {
    // Deno without --allow-env.
  }
  return undefined;
}

const USERS = "users";

/**
 * Kakao Talk Channel REST API client.
 *
 * ```ts
 * const kakao = new TalkChannelClient({ adminKey: process.env.KAKAO_ADMIN_KEY });
 * const { channels } = await kakao.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234" });
 * ```
 */
export class TalkChannelClient {
  #wasm;

  constructor(options) {
    limits();
    const { text, handles } = pack([options], undefined, "logger");
    try {
      this.#wasm = new WasmClient(text, handles, envLevel());
    } catch (thrown) {
      throw fail(thrown);
    }
  }

  /** Runs one method: the caller's values read and packed here, then one wasm call. */
  async #run(method, params, options) {
    const { text, handles, chunks } = pack([params, options], method === "addCustomerFileUsers" ? USERS : undefined);
    let json;
    try {
      json = await this.#wasm.call(method, text, handles, chunks);
    } catch (thrown) {
      // Made here, after the await: the stack holds the caller's async frames.
      throw fail(thrown);
    }
    return parseResult(json);
  }

  checkChannelRelationship(params, options) {
    return this.#run("checkChannelRelationship", params, options);
  }

  checkChannelRelationshipMulti(params, options) {
    return this.#run("checkChannelRelationshipMulti", params, options);
  }

  registerCustomerFile(params, options) {
    return this.#run("registerCustomerFile", params, options);
  }

  listCustomerFiles(params, options) {
    return this.#run("listCustomerFiles", params, options);
  }

  addCustomerFileUsers(params, options) {
    return this.#run("addCustomerFileUsers", params, options);
  }

  deleteCustomerFileUsers(params, options) {
    return this.#run("deleteCustomerFileUsers", params, options);
  }
}

/**
 * Checks every user of a would-be `addCustomerFileUsers` call with exactly its rules, without
 * a client or a request; see the README.
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

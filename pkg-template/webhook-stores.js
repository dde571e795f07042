// The `seen` claim stores shipped with the webhook handler: in memory (the default), Redis (a
// Lua script per step), Cloudflare D1 (one SQL statement per step) and Workers KV (best effort).
//
// Each store keeps, per delivery id, a claim with a lifecycle:
//   absent → processing(token, until now + leaseMs) → done(token, until now + ttlMs)
// `claim(id, token, leaseMs)` answers "claimed" (the caller owns it now: the id was absent, or
// its lease or ttl had ended), "processing" or "done". `finish(id, token, ttlMs)` and
// `release(id, token)` act only while `token` still holds the claim (compare-and-set,
// compare-and-delete) and say whether it did. The set-up of each factory is checked by Rust
// (__checkSeenStore): a URL instead of a client, a prefix that is not a string, a table name
// that is not an identifier throw a ValidationError at once.
import { __checkSeenStore } from "./kakao_talk_channel.js";
import { __fail } from "./errors.js";
import { parseResult } from "./marshal.js";
import { pack } from "./pack.js";
/** @import * as Api from "./webhook.js" */

// Typed from webhook.d.ts (where `./webhook.js` names it, tsc --checkJs under strict): each
// store factory exported through webhook.js is typed as declared there, so a drift in its
// parameters or in the store it returns is a compile error (webhook.js checks the export list).

/**
 * A plain `{ [method]: function }` of `client`'s `methods` (and `isOpen: true` when it has that
 * property, as node-redis clients do), or `client` itself when it is not an object.
 * @param {unknown} client the caller's, read inside try
 * @param {readonly string[]} methods
 * @param {string} field
 * @returns {{ copy?: unknown; unreadable?: string }}
 */
function describeClient(client, methods, field) {
  if (client === null || typeof client !== "object") return { copy: typeof client === "function" ? () => {} : client };
  let at = field;
  try {
    /** @type {Record<string, unknown>} */
    const copy = Object.create(null);
    for (const m of methods) {
      at = `${field}.${m}`;
      const f = /** @type {Record<string, unknown>} */ (client)[m];
      if (typeof f === "function") copy[m] = f;
    }
    at = `${field}.isOpen`;
    if ("isOpen" in client) copy.isOpen = true;
    return { copy };
  } catch {
    return { unreadable: at };
  }
}

/**
 * A plain copy of the caller's `options`: its own enumerable keys and the known `names`.
 * @param {unknown} options the caller's, read inside try
 * @param {readonly string[]} names
 * @returns {{ copy?: unknown; unreadable?: string }}
 */
function plainOptions(options, names) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) return { copy: options };
  let at = "options";
  try {
    /** @type {Record<string, unknown>} */
    const copy = Object.create(null);
    const source = /** @type {Record<string, unknown>} */ (options);
    for (const key of Object.keys(options)) {
      at = `options.${key}`;
      copy[key] = source[key];
    }
    for (const name of names) {
      at = `options.${name}`;
      if (!Object.hasOwn(copy, name) && source[name] !== undefined) copy[name] = source[name];
    }
    return { copy };
  } catch {
    return { unreadable: at };
  }
}

/**
 * Rust's check of a store's set-up: `{ prefix?, client?, table? }`, or a thrown ValidationError.
 * @template {"redis" | "d1" | "kv"} K
 * @param {K} kind
 * @param {string} field
 * @param {unknown} client
 * @param {readonly string[]} methods
 * @param {unknown} options
 * @param {readonly string[]} names
 * @returns {CheckedStore[K]}
 */
function checkStore(kind, field, client, methods, options, names) {
  const c = describeClient(client, methods, field);
  const o = plainOptions(options, names);
  const unreadable = c.unreadable ?? o.unreadable;
  const text = unreadable === undefined ? pack([c.copy, o.copy]).text : "2\0u\0u";
  /** @type {string} */
  let out;
  try {
    out = __checkSeenStore(kind, text, unreadable);
  } catch (thrown) {
    throw __fail(thrown);
  }
  return parseResult(out);
}

/**
 * What Rust's __checkSeenStore answers, by store kind (the defaults filled in).
 * @typedef {{
 *   redis: { prefix: string; client: "ioredis" | "node-redis" };
 *   d1: { table: string };
 *   kv: { prefix: string };
 * }} CheckedStore
 */

/**
 * The default store: per isolate/process, in memory, the last `limit` ids (the oldest entry is
 * dropped first). Atomic within the process; not shared with other instances.
 * @returns {Api.WebhookClaimStore & { claim(id: string, token: string, leaseMs: number): Api.WebhookClaimState; finish(id: string, token: string, ttlMs: number): boolean; release(id: string, token: string): boolean }}
 */
export function memorySeenStore(limit = 10000) {
  /** @type {Map<string, { token: string; done: boolean; until: number }>} */
  const entries = new Map();
  /**
   * @param {string} id
   * @param {{ token: string; done: boolean; until: number }} entry
   */
  const put = (id, entry) => {
    entries.delete(id);
    entries.set(id, entry);
    if (entries.size > limit) entries.delete(/** @type {string} */ (entries.keys().next().value)); // size > limit ≥ 0: a first key
  };
  return {
    claim(id, token, leaseMs) {
      const now = Date.now();
      const e = entries.get(id);
      if (e !== undefined && e.until > now) return e.done ? "done" : "processing";
      put(id, { token, done: false, until: now + leaseMs });
      return "claimed";
    },
    finish(id, token, ttlMs) {
      const e = entries.get(id);
      if (e === undefined || e.token !== token || e.done) return false;
      put(id, { token, done: true, until: Date.now() + ttlMs });
      return true;
    },
    release(id, token) {
      const e = entries.get(id);
      if (e === undefined || e.token !== token || e.done) return false;
      entries.delete(id);
      return true;
    },
  };
}

// Redis: the value is "p:<token>" (processing, PX leaseMs) or "d:<token>" (done, PX ttlMs); an
// ended lease is a key Redis has expired, so the next claim finds it absent.
const REDIS_CLAIM = `local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 2) == 'd:' then return 'done' end
  return 'processing'
end
redis.call('SET', KEYS[1], 'p:' .. ARGV[1], 'PX', ARGV[2])
return 'claimed'`;
const REDIS_FINISH = `if redis.call('GET', KEYS[1]) == 'p:' .. ARGV[1] then
  redis.call('SET', KEYS[1], 'd:' .. ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
const REDIS_RELEASE = `if redis.call('GET', KEYS[1]) == 'p:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/**
 * A claim store on Redis: each step is one Lua script (Redis's EVAL command, atomic on the
 * server), sent with the client's generic command call: node-redis' `sendCommand([...])`
 * (chosen when the client has `isOpen`) or ioredis' `call(...)`; `{ client }` chooses.
 * @type {typeof Api.redisSeenStore}
 */
export function redisSeenStore(redis, options) {
  const { prefix, client } = checkStore("redis", "redis", redis, ["sendCommand", "call"], options, ["prefix", "client"]);
  /**
   * @param {string} script
   * @param {string} id
   * @param {...(string | number)} args
   */
  const run = (script, id, ...args) => {
    const command = ["EVAL", script, "1", prefix + id, ...args.map(String)];
    // Rust checked that the client has the method of its shape.
    return client === "node-redis"
      ? /** @type {{ sendCommand(args: string[]): Promise<unknown> }} */ (redis).sendCommand(command)
      : /** @type {{ call(...args: string[]): Promise<unknown> }} */ (redis).call(...command);
  };
  return {
    // REDIS_CLAIM answers one of the three states.
    claim: async (id, token, leaseMs) => /** @type {Api.WebhookClaimState} */ (String(await run(REDIS_CLAIM, id, token, leaseMs))),
    finish: async (id, token, ttlMs) => Number(await run(REDIS_FINISH, id, token, ttlMs)) === 1,
    release: async (id, token) => Number(await run(REDIS_RELEASE, id, token)) === 1,
  };
}

/**
 * A claim store on Cloudflare D1 (SQLite): the claim is one statement that inserts the id or
 * takes over an ended claim (`INSERT … ON CONFLICT DO UPDATE … WHERE until <= now`), finish
 * and release are one UPDATE / DELETE each, matched on the token. The table (default
 * `kakao_webhook_seen`) is created on first use. Times are the instances' clocks (ms).
 * @type {typeof Api.d1SeenStore}
 */
export function d1SeenStore(db, options) {
  const { table } = checkStore("d1", "db", db, ["prepare"], options, ["table"]);
  /** @type {Promise<unknown> | undefined} */
  let created;
  const ready = () => {
    created ??= db
      .prepare(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, token TEXT NOT NULL, done INTEGER NOT NULL, until INTEGER NOT NULL)`)
      .run()
      .catch((err) => {
        created = undefined;
        throw err;
      });
    return created;
  };
  const changes = (/** @type {any} */ result) => Number(result?.meta?.changes ?? 0);
  /** @typedef {{ token?: unknown; done?: unknown } | null} Row D1's `first()`: a row or null */
  return {
    async claim(id, token, leaseMs) {
      await ready();
      const now = Date.now();
      const row = /** @type {Row} */ (
        await db
          .prepare(
            `INSERT INTO ${table} (id, token, done, until) VALUES (?1, ?2, 0, ?3) ON CONFLICT (id) DO UPDATE SET token = excluded.token, done = 0, until = excluded.until WHERE ${table}.until <= ?4 RETURNING token`,
          )
          .bind(id, token, now + leaseMs, now)
          .first()
      );
      if (row?.token === token) return "claimed";
      const found = /** @type {Row} */ (await db.prepare(`SELECT done FROM ${table} WHERE id = ?1`).bind(id).first());
      return found && Number(found.done) === 1 ? "done" : "processing";
    },
    async finish(id, token, ttlMs) {
      await ready();
      const r = await db.prepare(`UPDATE ${table} SET done = 1, until = ?3 WHERE id = ?1 AND token = ?2 AND done = 0`).bind(id, token, Date.now() + ttlMs).run();
      return changes(r) === 1;
    },
    async release(id, token) {
      await ready();
      const r = await db.prepare(`DELETE FROM ${table} WHERE id = ?1 AND token = ?2 AND done = 0`).bind(id, token).run();
      return changes(r) === 1;
    },
  };
}

/**
 * A store on a Workers KV namespace. BEST EFFORT, not atomic: KV has no compare-and-set, so
 * each step is a get then a put or delete, and two instances claiming one id at once can both
 * get "claimed" (measured: see README); other locations see a write up to about 60 s late.
 * Values: "p:<token>" (expirationTtl = leaseMs, at least 60 s, KV's minimum) or "d:<token>".
 * @type {typeof Api.kvSeenStore}
 */
export function kvSeenStore(kv, options) {
  const { prefix } = checkStore("kv", "kv", kv, ["get", "put", "delete"], options, ["prefix"]);
  const seconds = (/** @type {number} */ ms) => Math.max(60, Math.ceil(ms / 1000));
  return {
    async claim(id, token, leaseMs) {
      const found = await kv.get(prefix + id);
      if (typeof found === "string") return found.startsWith("d:") ? "done" : "processing";
      await kv.put(prefix + id, `p:${token}`, { expirationTtl: seconds(leaseMs) });
      return "claimed";
    },
    async finish(id, token, ttlMs) {
      if ((await kv.get(prefix + id)) !== `p:${token}`) return false;
      await kv.put(prefix + id, `d:${token}`, { expirationTtl: seconds(ttlMs) });
      return true;
    },
    async release(id, token) {
      if ((await kv.get(prefix + id)) !== `p:${token}`) return false;
      await kv.delete(prefix + id);
      return true;
    },
  };
}

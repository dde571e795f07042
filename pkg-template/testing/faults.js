// Fault injection: the failures a real network and a real Kakao can produce (error statuses,
// delays, stalled bodies, resets, truncated or HTML bodies), armed by tests on matching requests.
// Part of the emulator: it never imports the SDK.
import { toJson } from "./kakao.js";
/** @import * as T from "./index.js" */

/**
 * An armed fault: the public `Fault` and how many matching requests it still lets through.
 * @typedef {T.Fault & { skip: number }} Armed
 */
/**
 * One answer as the emulator sends it: `stall` sends the headers and never the body.
 * @typedef {{ status: number; headers: Record<string, string>; body: string; stall: boolean; reset?: undefined }} Answer
 */

/**
 * @param {T.FaultSpec["method"]} pattern
 * @param {string} value
 */
function matches(pattern, value) {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(value);
  if (typeof pattern === "function") return Boolean(pattern(value));
  return pattern === value;
}

/**
 * Resolves after `ms`, or rejects with `signal`'s reason when it aborts first.
 * @param {number} ms
 * @param {AbortSignal | null} [signal]
 * @returns {Promise<void>}
 */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(t);
      reject(/** @type {AbortSignal} */ (signal).reason); // only listened to on a signal
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The fault list: `faults` is the emulator's public `faults` object; `take(method, path, logged)`
 * consumes and returns the first armed fault that matches a request, or null.
 */
export function createFaults() {
  /** @type {Armed[]} */
  const faultList = [];

  /**
   * @param {string} method
   * @param {string} path
   * @param {T.EmulatorRequest} info
   * @returns {Armed | null}
   */
  function take(method, path, info) {
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

  /** @type {T.KakaoEmulator["faults"]} */
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
      // `remaining` and `skip` are set next.
      // A key given as `undefined` takes its default too (a spread would keep the `undefined`,
      // and a fault with `times: undefined` would never fire).
      const f = /** @type {Armed} */ ({ ...spec, times: spec.times ?? 1, after: spec.after ?? 0, hits: 0 });
      f.remaining = /** @type {number} */ (f.times);
      f.skip = /** @type {number} */ (f.after);
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

  return { faults, take };
}

/**
 * An answer `{ status, headers, body }` (body a string) as `fault` (or null) changes it; the
 * result also says whether to `stall` the body.
 * @param {Omit<Answer, "stall" | "reset">} answer
 * @param {Armed | null} fault
 * @returns {Answer}
 */
export function disturb(answer, fault) {
  let body = answer.body;
  const headers = { ...answer.headers, ...(fault?.headers ?? {}) };
  if (fault?.html) {
    body = "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>";
    headers["content-type"] = "text/html";
  }
  if (fault?.truncate) body = body.slice(0, Math.floor(body.length / 2));
  if (fault?.empty) body = "";
  if (fault?.contentType) headers["content-type"] = fault.contentType;
  return { status: fault?.html && fault.status === undefined ? 502 : answer.status, headers, body, stall: Boolean(fault?.stall) };
}

// createKakaoEmulator: the state, the six endpoints, faults and the webhook sender put together
// behind `answer` (one request in, one answer out) and a socket-free `fetch`.
// Part of the emulator: it never imports the SDK.
import { disturb, createFaults, sleep } from "./faults.js";
import { toJson } from "./kakao.js";
import { bodyOf, createRouter } from "./routes.js";
import { createState } from "./state.js";
import { createWebhookSender } from "./webhook.js";
/** @import * as T from "./index.js" */
/** @import { Answer } from "./faults.js" */
/**
 * The emulator as made here: the public `KakaoEmulator` and `answer`, which server.js serves.
 * @typedef {T.KakaoEmulator & { answer(request: Request, signal?: AbortSignal, body?: string): Promise<Answer | { reset: true; stall?: undefined }> }} Emulator
 */

/**
 * Creates an emulator. Options: `adminKey`, `restApiKey` (defaults are fixed test values),
 * `baseUrl` (the origin its `fetch` answers for), `now()` (the clock for relation times).
 * @param {T.EmulatorOptions} [options]
 * @returns {Emulator}
 */
export function createKakaoEmulator(options = {}) {
  const state = createState(options);
  const { now } = state;
  const route = createRouter(state);
  const { faults, take } = createFaults();
  const deliverWebhook = createWebhookSender(state);

  /**
   * Answers one request: `{ status, headers, body, stall?, reset? }` where `body` is a string.
   * `signal` aborts a pending delay. `body`: the request's body as text when the caller has
   * read it already (server.js, from the socket), else it is read from `request`.
   * @type {Emulator["answer"]}
   */
  async function answer(request, signal, body) {
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : (body ?? (await request.text()));
    state.requests.push({
      method: request.method,
      url: request.url,
      path: url.pathname,
      target: url.pathname + url.search,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body: text,
      at: now(),
    });
    const fault = take(request.method, url.pathname, /** @type {T.EmulatorRequest} */ (state.requests.at(-1))); // just pushed
    // The delay starts first and the body's JSON is read while it runs (reading changes
    // nothing; the route, after the delay, decides what it means): an answer comes `delayMs`
    // after the request was taken, not `delayMs` plus the parse of 2,000 users.
    const delay = fault?.delayMs ? sleep(fault.delayMs, signal) : undefined;
    const payload = bodyOf(text);
    if (text !== "" && fault?.status === undefined && !fault?.reset) payload.json();
    if (delay) await delay;
    if (fault?.reset) return { reset: true };
    const result = fault?.status !== undefined ? { status: fault.status, body: fault.body ?? "" } : route(request, url, payload);
    const answerBody = typeof result.body === "string" ? result.body : toJson(result.body);
    const out = disturb({ status: result.status, headers: { "content-type": "application/json;charset=UTF-8" }, body: answerBody }, fault);
    // Every complete answer says its length, as Kakao's do (the delete sample: `Content-Length: 0`).
    if (!out.stall) out.headers["content-length"] = String(new TextEncoder().encode(out.body).length);
    return out;
  }

  /**
   * A `typeof fetch` that needs no socket. Honours `init.signal` like a real fetch.
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async function emulatorFetch(input, init) {
    const request = new Request(input, init);
    const signal = init?.signal ?? request.signal;
    if (signal?.aborted) throw signal.reason;
    const out = await answer(request, signal);
    if (signal?.aborted) throw signal.reason;
    if (out.reset) {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    }
    /** @type {string | ReadableStream} */
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

  return {
    fetch: emulatorFetch,
    deliverWebhook,
    webhooks: state.webhooks,
    answer,
    baseUrl: state.baseUrl,
    adminKey: state.adminKey,
    restApiKey: state.restApiKey,
    accessTokenFor: state.accessTokenFor,
    addUser: state.addUser,
    addChannel: state.addChannel,
    setRelation: state.setRelation,
    customerFile: state.customerFile,
    requests: state.requests,
    faults,
  };
}

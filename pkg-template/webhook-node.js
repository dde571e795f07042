// Node-style `(req, res)` adapters for the fetch-style webhook handler: a node:http request
// listener that is also an Express route and (given Fastify's `(request, reply)`) a Fastify
// route. `toNodeHandler(handle)` wraps any `(request: Request) => Promise<Response>`;
// `createNodeWebhookHandler(options)` wraps `createChannelWebhookHandler(options)`.
//
// No `node:` import: this file uses only the methods of the objects Node hands over
// (`req.on`/`pause`/`resume`, `res.setHeader`/`write`/`end`) and the fetch globals
// (`Request`, `ReadableStream`), so every entry — workerd, Deno, the browser's — exports it
// without pulling in a Node built-in. The body is not read here: it becomes the Request's
// stream (pulled chunk by chunk, with backpressure), so the handler's byte cap and body deadline
// apply exactly as to a fetch Request, and a 401 leaves it unread.
//
// Every read of the caller's objects (req, res, Express's `req.body`, Fastify's pair) is inside
// try: the returned promise never rejects, and a failure ends in a 500 and `onError`.
import { createChannelWebhookHandler } from "./webhook.js";
/** @import * as Api from "./webhook-node.js" */

// Drift check. The public types are webhook-node.d.ts, written by hand; this file is checked
// against them by tsc --checkJs under strict (tsconfig.checkjs.json, npm test), where
// `./webhook-node.js` names webhook-node.d.ts: each export is typed as declared, and the exports
// are exactly the declared values. A drift either way is a compile error. Comments only. Inside,
// Node's `req` and `res` (and Fastify's pair) are `any`: the caller's objects, each read in try.
/**
 * @template {never} T
 * @typedef {T} None
 */
/**
 * @typedef {[
 *   None<Exclude<keyof typeof import("./webhook-node.js"), keyof Exports>>,
 *   None<Exclude<keyof Exports, keyof typeof import("./webhook-node.js")>>,
 * ]} DriftCheck
 * @typedef {{ toNodeHandler: typeof toNodeHandler; createNodeWebhookHandler: typeof createNodeWebhookHandler }} Exports
 * @typedef {NonNullable<Api.ToNodeHandlerOptions["onError"]>} OnError
 * @typedef {{ ended: boolean; pulled: boolean }} BodyState
 */

/** What the adapter tells `onError` (and the HTTP client, in a 500) about an unusable body. */
const PARSED_MESSAGE =
  "the request body was already parsed into an object by a body parser (express.json() or Fastify's JSON parser), " +
  "so the webhook cannot read Kakao's bytes: mount the webhook route before express.json(), or give it " +
  'express.raw({ type: "*/*" }) (Fastify: a content-type parser with parseAs: "buffer" in the route\'s scope)';
const READ_MESSAGE =
  "the request body was already read by another middleware and left no Buffer or string in req.body: " +
  'mount the webhook route before it, or give it express.raw({ type: "*/*" })';
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/** @param {unknown} err */
function defaultReport(err) {
  try {
    console.error("kakao-talk-channel webhook (node adapter):", err);
  } catch {
    // Nowhere left to report to.
  }
}

/**
 * `onError` (if a function) under the handler's contract: never throws, never rejects.
 * @param {unknown} onError the caller's
 * @returns {(err: unknown) => Promise<void>}
 */
function reporter(onError) {
  if (typeof onError !== "function") return async (err) => defaultReport(err);
  return async (err) => {
    try {
      await onError(err, undefined, "parse");
    } catch (failure) {
      defaultReport(failure);
      defaultReport(err);
    }
  };
}

/**
 * Fastify's `(request, reply)`: `{ request, reply, body }` with the raw node objects; else undefined.
 * @param {any} req
 * @param {any} res
 * @returns {{ req: any; res: any; body: unknown; hijack: () => unknown } | undefined}
 */
function fastifyPair(req, res) {
  if (req === null || typeof req !== "object" || res === null || typeof res !== "object") return undefined;
  const rawReq = req.raw;
  const rawRes = res.raw;
  if (rawReq === null || typeof rawReq !== "object" || rawRes === null || typeof rawRes !== "object") return undefined;
  if (typeof res.hijack !== "function") return undefined;
  return { req: rawReq, res: rawRes, body: req.body, hijack: () => res.hijack() };
}

/**
 * Whether someone (a body parser) already read the request stream.
 * @param {any} req
 */
function consumed(req) {
  return req.readableDidRead === true || req.readableEnded === true || req._body === true;
}

/**
 * Where the body comes from: `{ bytes }` (a Buffer or string a body parser left in `req.body`),
 * `{ stream: true }` (the request stream, unread), or `{ refused }` (a parsed object, or a
 * stream read by someone else: nothing left to verify).
 * @param {any} req
 * @param {unknown} given
 * @returns {{ bytes?: Uint8Array; stream?: true; refused?: string }}
 */
function bodySource(req, given) {
  if (typeof given === "string") return { bytes: new TextEncoder().encode(given) };
  if (given instanceof ArrayBuffer) return { bytes: new Uint8Array(given) };
  if (ArrayBuffer.isView(given)) return { bytes: new Uint8Array(given.buffer, given.byteOffset, given.byteLength) };
  if (!consumed(req)) return { stream: true };
  return { refused: given === undefined || given === null ? READ_MESSAGE : PARSED_MESSAGE };
}

/**
 * The request stream as a ReadableStream of bytes, pulled chunk by chunk (highWaterMark 0: no
 * byte is read before the handler asks, so a 401 leaves the body unread). `state.ended` tells
 * whether the whole body was read.
 * @param {any} req
 * @param {BodyState} state
 * @returns {ReadableStream<Uint8Array>}
 */
function streamOf(req, state) {
  let settled = false;
  const settle = (/** @type {() => void} */ f) => {
    if (settled) return;
    settled = true;
    try {
      f();
    } catch {
      // The stream was cancelled meanwhile: nothing to deliver.
    }
  };
  return new ReadableStream(
    {
      start(controller) {
        req.pause();
        req.on("data", (/** @type {string | Uint8Array} */ chunk) => {
          if (settled) return;
          const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
          try {
            controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
            if (/** @type {number} */ (controller.desiredSize) <= 0) req.pause(); // null only once errored
          } catch {
            settled = true;
            req.pause();
          }
        });
        req.on("end", () => {
          state.ended = true;
          settle(() => controller.close());
        });
        req.on("error", (/** @type {unknown} */ err) => settle(() => controller.error(err)));
        req.on("close", () => settle(() => controller.error(new Error("the connection closed before the body ended"))));
      },
      pull() {
        req.resume();
      },
      cancel() {
        settled = true;
        req.pause();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A body that fails when read, telling `state.pulled` that the handler got as far as the body.
 * @param {BodyState} state
 * @returns {ReadableStream<Uint8Array>}
 */
function refusingStream(state) {
  return new ReadableStream(
    {
      pull(controller) {
        state.pulled = true;
        controller.error(new Error("refused"));
      },
    },
    { highWaterMark: 0 },
  );
}

/** @param {any} req */
function urlOf(req) {
  let path = req.originalUrl;
  if (typeof path !== "string") path = req.url;
  if (typeof path !== "string" || !path.startsWith("/")) path = "/";
  const host = req.headers?.host;
  const scheme = req.socket?.encrypted ? "https" : "http";
  try {
    return new URL(path, `${scheme}://${typeof host === "string" && host !== "" ? host : "localhost"}`).href;
  } catch {
    return new URL(path, `${scheme}://localhost`).href;
  }
}

/** @param {any} req */
function headersOf(req) {
  const headers = new Headers();
  const raw = req.rawHeaders;
  /** @type {[unknown, string][]} */
  const pairs = [];
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  } else if (req.headers !== null && typeof req.headers === "object") {
    for (const [k, v] of Object.entries(req.headers)) {
      for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) pairs.push([k, String(x)]);
    }
  }
  for (const [name, value] of pairs) {
    // HTTP/2's pseudo-headers (":path") are not headers a Request can carry.
    if (typeof name === "string" && !name.startsWith(":")) headers.append(name, value);
  }
  return headers;
}

/**
 * @param {number} status
 * @param {object} body
 */
function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * Writes `response` to the node `res` (status, headers, body streamed with backpressure).
 * @param {any} res
 * @param {Response} response
 * @param {boolean} closeConnection
 */
async function send(res, response, closeConnection) {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie" || HOP_BY_HOP.has(name)) continue;
    res.setHeader(name, value);
  }
  const cookies = typeof response.headers.getSetCookie === "function" ? response.headers.getSetCookie() : [];
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (closeConnection) res.setHeader("connection", "close");
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      if (!res.write(value)) {
        await new Promise((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
      }
    }
  } finally {
    res.end();
  }
}

/** @param {any} res */
function fallback(res) {
  try {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.statusCode = 500;
    res.setHeader("content-type", "application/json");
    res.setHeader("connection", "close");
    res.end(JSON.stringify({ error: "the delivery could not be handled" }));
  } catch {
    try {
      res.destroy();
    } catch {
      // Nothing more can be done with this response.
    }
  }
}

/**
 * Turns a fetch-style `handle(request) => Promise<Response>` into `(req, res) => Promise<void>`
 * for node:http, Express (`app.post(path, listener)`) and Fastify (`app.post(path, listener)`:
 * given Fastify's `(request, reply)`, it calls `reply.hijack()` and uses `request.raw` and
 * `reply.raw`). `options.onError(error, undefined, "parse")` hears what fails here (default
 * `console.error`). The returned promise never rejects.
 * @type {typeof Api.toNodeHandler}
 */
export function toNodeHandler(handle, options) {
  /** @type {unknown} */
  let onError;
  try {
    onError = options?.onError;
  } catch (err) {
    defaultReport(err);
  }
  const report = reporter(onError);

  return async function nodeWebhookListener(/** @type {any} */ req, /** @type {any} */ res) {
    let rawRes = res;
    try {
      let rawReq = req;
      /** @type {unknown} */
      let given;
      const fastify = fastifyPair(req, res);
      if (fastify) {
        rawReq = fastify.req;
        rawRes = fastify.res;
        given = fastify.body;
        fastify.hijack();
      } else {
        given = req.body;
      }
      const method = typeof rawReq.method === "string" ? rawReq.method : "GET";
      const hasBody = method !== "GET" && method !== "HEAD";
      const source = bodySource(rawReq, given);
      /** @type {BodyState} */
      const state = { ended: false, pulled: false };
      /** @type {BodyInit | undefined} */
      let body;
      if (hasBody) {
        // A parser's Buffer or TextEncoder's bytes: never on a SharedArrayBuffer.
        if (source.bytes) body = /** @type {Uint8Array<ArrayBuffer>} */ (source.bytes);
        else if (source.stream) body = streamOf(rawReq, state);
        else body = refusingStream(state);
      }
      /** @type {Request} */
      let request;
      try {
        // `duplex: "half"`: required by Node's fetch for a stream body (not yet in the DOM types).
        /** @type {RequestInit & { duplex: "half" }} */
        const init = { method, headers: headersOf(rawReq), body, duplex: "half" };
        request = new Request(urlOf(rawReq), init);
      } catch {
        // A method fetch cannot carry (TRACE, TRACK) or a header it refuses: not a webhook delivery.
        await send(rawRes, json(400, { error: "the request cannot be represented as a fetch Request" }), true);
        return;
      }
      let response = await handle(request);
      if (state.pulled) {
        // The handler accepted the method and the sender and went on to the body, which is gone.
        await report(new TypeError(source.refused));
        response = json(500, { error: source.refused });
      }
      if (response === null || typeof response !== "object" || typeof response.status !== "number") {
        throw new TypeError("the handler did not resolve to a Response");
      }
      // A body left unread (401, 413, 408): close the connection rather than read the rest of it.
      const unread = hasBody && source.stream === true && !state.ended && rawReq.readableEnded !== true;
      await send(rawRes, response, unread);
    } catch (err) {
      await report(err);
      fallback(rawRes);
    }
  };
}

/**
 * `toNodeHandler(createChannelWebhookHandler(options), { onError: options.onError })`: the
 * channel add/block webhook as a node:http listener and Express/Fastify route. Throws, as
 * createChannelWebhookHandler does, a ValidationError for invalid options.
 * @type {typeof Api.createNodeWebhookHandler}
 */
export function createNodeWebhookHandler(options) {
  const handle = createChannelWebhookHandler(options);
  /** @type {Api.ToNodeHandlerOptions["onError"]} */
  let onError;
  try {
    onError = options.onError;
  } catch (err) {
    defaultReport(err);
  }
  return toNodeHandler(handle, { onError });
}

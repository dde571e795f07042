import type { ChannelWebhookEvent, ChannelWebhookHandlerOptions, WebhookErrorStage } from "./webhook.js";

/**
 * The parts of node:http's `IncomingMessage` the adapter uses (Express's `req` and Fastify's
 * `request.raw` are ones). Declared here so the types need no `@types/node`.
 */
export interface NodeIncomingMessageLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: object;
  rawHeaders?: string[];
  readableEnded?: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The parts of node:http's `ServerResponse` the adapter uses (Express's `res`, Fastify's `reply.raw`). */
export interface NodeServerResponseLike {
  statusCode: number;
  statusMessage: string;
  readonly headersSent: boolean;
  setHeader(name: string, value: string | readonly string[]): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: string): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Fastify's `request`: the raw message and what its content-type parser left in `body`. */
export interface FastifyRequestLike {
  raw: NodeIncomingMessageLike;
  body?: unknown;
}

/** Fastify's `reply`: the adapter calls `hijack()` and writes to `raw`. */
export interface FastifyReplyLike {
  raw: NodeServerResponseLike;
  hijack(): unknown;
}

/**
 * A node:http request listener, Express route or Fastify route. Never rejects: a failure is a
 * 500 and goes to `onError`.
 */
export type NodeWebhookListener = (
  req: NodeIncomingMessageLike | FastifyRequestLike,
  res: NodeServerResponseLike | FastifyReplyLike,
) => Promise<void>;

export interface ToNodeHandlerOptions {
  /**
   * Hears what fails in the adapter (a body a parser already consumed, a write that threw),
   * with stage `"parse"`; its own failure is logged, never thrown. Default: `console.error`.
   */
  onError?: ((error: unknown, event: ChannelWebhookEvent | undefined, stage: WebhookErrorStage) => void | Promise<void>) | undefined;
}

/**
 * Adapts a fetch-style handler to Node's `(req, res)`: the request becomes a fetch `Request`
 * whose body is the request stream (unread until the handler reads it, with backpressure), and
 * the `Response` is written back (status, headers, body; `Connection: close` when the body was
 * not read to the end, as after a 401, 413 or 408). A `Buffer` or string that a body parser left
 * in `req.body` (`express.raw()`, `express.text()`) is used as the body; an object it parsed
 * (`express.json()`) is refused with a 500 once the method and sender are accepted, and the
 * reason goes to `onError`. Given Fastify's `(request, reply)` it calls `reply.hijack()` and
 * uses `request.raw` / `reply.raw` (and a Buffer in `request.body`).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * const listener = toNodeHandler(createChannelWebhookHandler({ adminKey, onEvent }));
 * createServer(listener).listen(8080);
 * ```
 */
export declare function toNodeHandler(
  handle: (request: Request) => Promise<Response>,
  options?: ToNodeHandlerOptions,
): NodeWebhookListener;

/**
 * `createChannelWebhookHandler(options)` as a node:http listener, Express route or Fastify
 * route: `toNodeHandler(createChannelWebhookHandler(options), { onError: options.onError })`.
 * Every status of createChannelWebhookHandler applies unchanged.
 *
 * @example
 * ```ts
 * const kakaoWebhook = createNodeWebhookHandler({
 *   adminKey: process.env.KAKAO_ADMIN_KEY, // or omit it: KAKAO_ADMIN_KEY is read when absent
 *   onEvent: async (e) => { await db.setChannelStatus(e.userId, e.event, e.updatedAt); },
 * });
 * app.post("/kakao/webhook", kakaoWebhook); // Express: before app.use(express.json())
 * ```
 */
export declare function createNodeWebhookHandler(options: ChannelWebhookHandlerOptions): NodeWebhookListener;

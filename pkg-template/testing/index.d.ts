/** A request as the emulator received it. */
export interface EmulatorRequest {
  method: string;
  url: string;
  /** Path without the query, e.g. `/v2/api/talk/channels`. */
  path: string;
  /** Path and query exactly as received, e.g. `/v2/api/talk/channels?channel_ids=_a`. */
  target: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  at: Date;
}

/** What a fault does to the next `times` matching requests. */
export interface FaultSpec {
  method?: string | RegExp | ((method: string) => boolean);
  path?: string | RegExp | ((path: string) => boolean);
  /** Any other condition on the request as logged (query, headers, body). */
  when?: (request: EmulatorRequest) => boolean;
  /** How many matching requests it affects; default 1. */
  times?: number;
  /** Let this many matching requests through untouched first; default 0. */
  after?: number;
  /** Answer with this status (and `body`, `headers`) instead of the real one. */
  status?: number;
  body?: string | object;
  headers?: Record<string, string>;
  /**
   * Wait before answering (aborted with the request): the wait starts when the request is
   * taken, its body is parsed during it, and the request changes the state only after it.
   */
  delayMs?: number;
  /** Send headers, then a body that never ends. */
  stall?: boolean;
  /** Reset the connection (server) or reject the fetch (in-memory). */
  reset?: boolean;
  /** Cut the body in half. */
  truncate?: boolean;
  /** Answer an HTML page (status 502 unless `status` is given). */
  html?: boolean;
  /** Answer an empty body. */
  empty?: boolean;
  /** Override the Content-Type header. */
  contentType?: string;
}

export interface Fault extends FaultSpec {
  /** Matching requests it has affected so far. */
  hits: number;
  remaining: number;
}

export interface EmulatorOptions {
  adminKey?: string | undefined;
  restApiKey?: string | undefined;
  /** Origin the in-memory `fetch` stands for; default `https://kapi.kakao.test`. */
  baseUrl?: string | undefined;
  /** Clock for relation times. */
  now?: (() => Date) | undefined;
}

export type Relation = "ADDED" | "BLOCKED" | "NONE";

export interface CustomerFileState {
  fileId: number;
  channelPublicId: string;
  fileName: string;
  /** As registered (Korean keys). */
  schema: Map<string, "string" | "number">;
  status: string;
  updatedAt: Date;
  users: Map<string, Record<string, string | number>>;
}

export interface KakaoEmulator {
  /** A drop-in `fetch` that needs no socket. */
  fetch: typeof fetch;
  baseUrl: string;
  adminKey: string;
  restApiKey: string;
  /** Registers the user if needed and returns an access token for `Authorization: Bearer`. */
  accessTokenFor(userId: number | bigint | string): string;
  /** `talkUser: false` makes Kakao answer -501 NotTalkUser for this user. */
  addUser(userId: number | bigint | string, options?: { talkUser?: boolean | undefined; phone?: string | undefined }): { id: string; talkUser: boolean; phone: string | undefined };
  addChannel(publicId: string, options?: { uuid?: string | undefined }): { publicId: string; uuid: string };
  /** Sets a relation as if the user added or blocked the channel at `at` (default now). */
  setRelation(userId: number | bigint | string, channelPublicId: string, relation: Relation, options?: { at?: Date | undefined }): void;
  /** A customer file's state: `users` maps `"app:<id>"` / `"phone:<number>"` to the fields Kakao stored. */
  customerFile(fileId: number): CustomerFileState | undefined;
  /** Every request received, in order. */
  requests: EmulatorRequest[];
  /**
   * Sends a channel add/block webhook delivery exactly as Kakao does (POST, `Authorization:
   * KakaoAK <adminKey>`, a fresh `X-Kakao-Resource-ID`, `User-Agent: KakaoOpenAPI/1.0`, JSON
   * body, no redirects followed, 3 s limit) to a URL or straight to a fetch-style handler.
   */
  deliverWebhook(
    target: string | URL | ((request: Request) => Response | Promise<Response>),
    event: WebhookEventSpec,
    delivery?: WebhookDeliveryOverrides,
  ): Promise<WebhookDelivery>;
  /** Every webhook delivery made, in order. */
  webhooks: WebhookDelivery[];
  faults: {
    add(spec: FaultSpec): Fault;
    clear(): void;
    readonly pending: number;
  };
}

/** What happened: the fields of Kakao's webhook body. */
export interface WebhookEventSpec {
  /** Default "added". */
  event?: "added" | "blocked" | (string & {}) | undefined;
  userId: number | bigint | string;
  channelPublicId: string;
  /** Default "app_user_id". */
  idType?: "app_user_id" | "open_id" | (string & {}) | undefined;
  /** Default: the registered channel's uuid. */
  channelUuid?: string | undefined;
  /** Default: the emulator's clock. */
  updatedAt?: Date | undefined;
  /** Send the older body (`plus_friend_public_id`, `plus_friend_uuid`). */
  legacy?: boolean | undefined;
}

/** Departures from a faithful delivery, for tests of the receiving side. */
export interface WebhookDeliveryOverrides {
  /** Reuse an id to simulate a redelivery. */
  resourceId?: string | undefined;
  /** Sign with another key. */
  adminKey?: string | undefined;
  /** Set headers; `null` removes one (e.g. `{ authorization: null }`). */
  headers?: Record<string, string | null> | undefined;
  method?: string | undefined;
  /** Raw body text (or bytes) instead of the JSON. */
  body?: string | Uint8Array | undefined;
  /** URL of the Request given to a handler; default `https://service.example/kakao/webhook`. */
  url?: string | undefined;
}

export interface WebhookDelivery {
  resourceId: string;
  /** The JSON body as sent (before any `body` override). */
  payload: Record<string, string>;
  /** null when the target gave no answer (past 3 seconds, or it failed). */
  status: number | null;
  /** Status 200 (the strictest reading of Kakao's callback doc: one version counted any other status as failed). */
  delivered: boolean;
  /** No answer within Kakao's 3 seconds: a failed delivery (the promise still resolves). */
  timedOut: boolean;
  /** Why there was no answer, when there was none. */
  error?: string;
  ms: number;
  responseBody: string | null;
}

export declare function createKakaoEmulator(options?: EmulatorOptions): KakaoEmulator;

export interface KakaoEmulatorServer {
  /** e.g. `http://127.0.0.1:43210`: pass as `baseUrl`. */
  url: string;
  emulator: KakaoEmulator;
  close(): Promise<void>;
}

/** Serves an emulator over loopback HTTP (Node). */
export declare function startKakaoEmulatorServer(options?: {
  port?: number | undefined;
  host?: string | undefined;
  emulator?: KakaoEmulator | undefined;
}): Promise<KakaoEmulatorServer>;

// The types of the wasm glue's exports (kakao_talk_channel.js), used by client.js and webhook.js
// only: not public API (index.d.ts exports nothing from here). Their JS side (pack.js) packs
// arguments into strings; results and errors come back as JSON text and error records.

/** The client behind TalkChannelClient. */
export declare class WasmClient {
  constructor(text: string, handles: unknown[], env: string | undefined, loggerShape: string | undefined);
  call(method: string, text: string, handles: unknown[], chunks: (string | Uint8Array)[] | undefined): Promise<import("./shared.js").WasmResult>;
}
/** The most keys an object can have and pass a rule (pack.js reads at most one more). */
export declare function __maxKeys(): number;
export declare function __validateCustomerFileUsers(text: string, chunks: (string | Uint8Array)[] | undefined): string;
export declare function __checkWebhookOptions(
  text: string,
  unreadable: string | undefined,
  kind: "event" | "parse" | "handler",
  envAdminKey: string | undefined,
): string;
export declare function __checkSeenStore(kind: "redis" | "d1" | "kv", text: string, unreadable: string | undefined): string;
export declare function __parseWebhook(
  method: string,
  authorization: string | undefined,
  resourceId: string | undefined,
  body: Uint8Array | undefined,
  adminKey: string,
): string | undefined;

/** Instantiates the module from a compiled `WebAssembly.Module` or its bytes (the entries call it once). */
export declare function initSync(module: { module: WebAssembly.Module | BufferSource } | WebAssembly.Module | BufferSource): unknown;
/** Fetches and instantiates the module (web.js). */
export default function init(moduleOrPath?: unknown): Promise<unknown>;

// Everything the package exports, shared by the entries deno.js, workerd.js and web.js, each of
// which loads the wasm its own way first. The Node entry (node-bundle.cjs, behind node.cjs and
// node.js) exports the same names, written by scripts/build-pkg.mjs from this file's lines.
export { TalkChannelClient, validateCustomerFileUsers } from "./client.js";
export { constructChannelWebhookEvent, parseChannelWebhook, createChannelWebhookHandler, d1SeenStore, kvSeenStore, redisSeenStore } from "./webhook.js";
export { toNodeHandler, createNodeWebhookHandler } from "./webhook-node.js";
export {
  KakaoTalkChannelError,
  ValidationError,
  KakaoApiError,
  TimeoutError,
  NetworkError,
  ResponseError,
  BulkOperationError,
  WebhookAuthError,
} from "./errors.js";

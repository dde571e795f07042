// Everything the package exports, shared by the ESM entries (node.js, deno.js, workerd.js,
// web.js), each of which loads the wasm its own way first. node.cjs lists the same for require().
export { TalkChannelClient, validateCustomerFileUsers } from "./client.js";
export { parseChannelWebhook } from "./webhook.js";
export { createChannelWebhookHandler } from "./webhook.js";
export { kvSeenStore, redisSeenStore } from "./webhook.js";
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

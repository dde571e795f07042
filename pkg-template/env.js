// Reading an environment variable, shared by client.js (KAKAO_ADMIN_KEY, KAKAO_REST_API_KEY,
// KAKAO_BASE_URL, KAKAO_TALK_CHANNEL_LOG) and webhook.js (KAKAO_ADMIN_KEY). What a value means,
// and that it is ignored in a browser, is Rust's (core::env, wasm in_browser).

/**
 * One variable, where the runtime has an environment and lets us read it; else undefined.
 * @param {string} name
 * @returns {string | undefined}
 */
export function readEnv(name) {
  try {
    const p = globalThis.process;
    if (p?.env && typeof p.env[name] === "string") return p.env[name];
  } catch {
    // No environment, or no permission to read it.
  }
  try {
    const v = /** @type {{ Deno?: { env?: { get(name: string): unknown } } }} */ (globalThis).Deno?.env?.get(name);
    if (typeof v === "string") return v;
  } catch {
    // Deno without --allow-env.
  }
  return undefined;
}

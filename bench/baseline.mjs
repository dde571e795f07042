// The baseline: what a user would write instead of the SDK. `fetch` plus JSON.stringify /
// JSON.parse, the same requests as the SDK sends, and no validation, no timeout, no retries,
// no batching logic beyond a slice loop. With `timeoutMs`, each request gets what the SDK
// gives every attempt: an AbortController aborted by a timer (for the "baseline + timeout"
// variant, which shows how much of the SDK's cost is the timeout itself). (JSON.parse also rounds user ids past 2^53; the SDK
// exists partly to avoid that, but the baseline is meant to be the cheapest honest client.)

export class PlainKakaoClient {
  constructor({ adminKey, restApiKey, baseUrl = "https://kapi.kakao.com", fetch, timeoutMs } = {}) {
    this.timeoutMs = timeoutMs;
    this.adminKey = adminKey;
    this.restApiKey = restApiKey;
    this.baseUrl = baseUrl;
    this.fetch = fetch;
  }

  async #get(pathAndQuery, key) {
    const f = this.fetch ?? globalThis.fetch;
    const init = { method: "GET", headers: { Authorization: `KakaoAK ${key}` } };
    if (this.timeoutMs === undefined) {
      const res = await f(this.baseUrl + pathAndQuery, init);
      const text = await res.text();
      if (!res.ok) throw new Error(`Kakao ${res.status}: ${text}`);
      return JSON.parse(text);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await f(this.baseUrl + pathAndQuery, { ...init, signal: controller.signal });
      const text = await res.text();
      if (!res.ok) throw new Error(`Kakao ${res.status}: ${text}`);
      return JSON.parse(text);
    } finally {
      clearTimeout(timer);
    }
  }

  async #post(path, body, key) {
    const f = this.fetch ?? globalThis.fetch;
    const res = await f(this.baseUrl + path, {
      method: "POST",
      headers: { Authorization: `KakaoAK ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Kakao ${res.status}: ${text}`);
    return text === "" ? null : JSON.parse(text);
  }

  checkChannelRelationship({ channelIds, userId }) {
    const q = `target_id_type=user_id&target_id=${userId}&channel_ids=${channelIds.join(",")}`;
    return this.#get(`/v2/api/talk/channels?${q}`, this.adminKey);
  }

  async checkChannelRelationshipMulti({ userIds, channelIds }) {
    const users = [];
    for (let i = 0; i < userIds.length; i += 200) {
      let q = `target_id_type=user_id&target_ids=${userIds.slice(i, i + 200).join(",")}`;
      if (channelIds) q += `&channel_ids=${channelIds.join(",")}`;
      users.push(...(await this.#get(`/v2/api/talk/channels/multi?${q}`, this.adminKey)));
    }
    return users;
  }

  /** `users`: `{ id, field }` objects in Kakao's own shape (keys already Korean). */
  async addCustomerFileUsers({ fileId, channelPublicId, userType, users }) {
    let requestCount = 0;
    let successCount = 0;
    for (let i = 0; i < users.length; i += 2000) {
      const r = await this.#post(
        "/v1/talkchannel/update/target_users",
        { file_id: fileId, channel_public_id: channelPublicId, user_type: userType, users: users.slice(i, i + 2000) },
        this.restApiKey,
      );
      requestCount += r.request_count;
      successCount += r.success_count;
    }
    return { fileId, requestCount, successCount };
  }
}

// Kakao's limits and wire formats, as its REST documentation for Kakao Talk Channel states them.
// Part of the emulator: it never imports the SDK.

export const MULTI_LIMIT = 200;
export const MAX_USER_ID = 9223372036854775807n;
export const FILE_SLOTS = 30;
export const SCHEMA_LIMIT = 30;
export const USERS_LIMIT = 2000;
// Kakao's supported schema keys ("Only Korean is supported for keys") and the English names its
// view answer uses inside the `schema` JSON string.
/** @type {Readonly<Record<string, string>>} */
export const SUPPORTED_KEYS = {
  생년월일: "birthday",
  국가: "country",
  지역: "region",
  성별: "gender",
  연령: "age",
  구매금액: "purchase_amount",
  포인트: "point",
  가입일: "signup_date",
  "최근 구매일": "recent_purchase_date",
  응모일: "event_application_date",
};
export const FORBIDDEN_KEYS = ["앱유저아이디", "전화번호"];
// The English names the document gives the supported keys ("구매금액: purchase amount").
const ENGLISH_NAMES = {
  생년월일: "birthday",
  국가: "country",
  지역: "region",
  성별: "gender",
  연령: "age",
  구매금액: "purchase amount",
  포인트: "point",
  가입일: "signup date",
  "최근 구매일": "recent purchase date",
  응모일: "event application date",
};

const letters = (/** @type {string} */ key) => key.replace(/[\s_-]/g, "").toLowerCase();
const SPELLINGS = new Map(Object.entries(ENGLISH_NAMES).flatMap(([ko, en]) => [[letters(ko), ko], [letters(en), ko]]));

/**
 * The Korean supported key a user field's key names, or the key itself. The document's own
 * add-users sample sends `"age": 19` to a file registered with 연령, and names the keys in
 * English with spaces; it says no more, so any spelling is read as the key: Korean or English,
 * spaces, underscores or camelCase, any case ("purchase amount", "purchase_amount",
 * "purchaseAmount").
 * @param {string} key
 */
export function supportedKeyOf(key) {
  return SPELLINGS.get(letters(key)) ?? key;
}

/**
 * What a route answers: the status and a body to serialise (or a string, sent as is).
 * @typedef {{ status: number; body: object | string }} Reply
 */

/**
 * Kakao-style error body.
 * @param {number} status
 * @param {number} code
 * @param {string} msg
 * @returns {Reply}
 */
export function kakaoError(status, code, msg) {
  return { status, body: { msg, code } };
}

/**
 * JSON with bigint values written as exact number literals (Kakao's `user_id` is a Long).
 * @param {unknown} value
 */
export function toJson(value) {
  const marked = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `\u0000big:${v}` : v));
  return marked.replace(/"\\u0000big:(-?\d+)"/g, "$1");
}

/**
 * Kakao's customer-file time: "2019-02-03 13:22:33" in KST (UTC+9).
 * @param {Date} date
 */
export function kstText(date) {
  return new Date(date.getTime() + 9 * 3600 * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Digits of a phone number, with +82 written as a leading 0, for matching.
 * @param {unknown} phone
 */
export function phoneDigits(phone) {
  let d = String(phone).replace(/[^\d+]/g, "");
  if (d.startsWith("+82")) d = `0${d.slice(3)}`;
  return d.replace(/\D/g, "");
}

/**
 * Kakao's RFC3339 form without milliseconds: 2020-04-18T03:17:05Z.
 * @param {Date} date
 */
export function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const CANONICAL_SHORT = /^[1-9]\d{0,17}$/;

/**
 * A user id as the canonical decimal string, or null when it is not a positive Long.
 * @param {unknown} id
 * @returns {string | null}
 */
export function canonicalUserId(id) {
  // Up to 18 digits without a leading zero: already canonical, and below 2^63 (a batch of
  // 2,000 users asks this of every id: the BigInt round trip is for the rest).
  if (typeof id === "string" && CANONICAL_SHORT.test(id)) return id;
  const text = typeof id === "string" ? id.trim() : String(id);
  if (!/^\d+$/.test(text)) return null;
  const n = BigInt(text);
  if (n <= 0n || n > MAX_USER_ID) return null;
  return n.toString();
}

// Entry for Node (ESM), Deno and Bun: imports the installed package by name and runs the smoke.
import * as sdk from "kakao-talk-channel";
import { smoke } from "./smoke-lib.mjs";

const env = globalThis.Deno ? globalThis.Deno.env.toObject() : process.env;
const report = await smoke(sdk, {
  baseUrl: env.KTC_BASE_URL,
  adminKey: env.KTC_ADMIN_KEY,
  restApiKey: env.KTC_REST_KEY,
  token: env.KTC_TOKEN,
  channel: env.KTC_CHANNEL,
});
console.log(`SMOKE OK ${JSON.stringify(report)}`);

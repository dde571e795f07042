// Entry for Node's require(): the CommonJS build of the installed package.
"use strict";
const sdk = require("kakao-talk-channel");

import("./smoke-lib.mjs").then(async ({ smoke }) => {
  const env = process.env;
  const report = await smoke(sdk, {
    baseUrl: env.KTC_BASE_URL,
    adminKey: env.KTC_ADMIN_KEY,
    restApiKey: env.KTC_REST_KEY,
    token: env.KTC_TOKEN,
    channel: env.KTC_CHANNEL,
  });
  // The CommonJS entry must really be CommonJS (no require(esm) needed, so Node 18 works).
  const resolved = require.resolve("kakao-talk-channel");
  if (!resolved.endsWith("node.cjs")) throw new Error(`require resolved ${resolved}`);
  console.log(`SMOKE OK ${JSON.stringify({ ...report, resolved: "node.cjs" })}`);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});

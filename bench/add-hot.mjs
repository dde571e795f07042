// A focused measurement of the add hot path (issue 19), quicker than `npm run bench`: a
// 2,000-user add and a 200,000-user add with a canned `fetch`, each interleaved with
// `JSON.stringify` of the same body (batches), and `validateCustomerFileUsers` of 2,000 users;
// prints medians, ratios and the `.wasm` gzip size. Run after `bash scripts/dev.sh build`:
//
//   node bench/add-hot.mjs            # the default rounds (about a minute)
//   ADD_HOT_ROUNDS=2 node bench/add-hot.mjs
import { readFileSync } from "node:fs";
import { gzipSync, constants as zc } from "node:zlib";
import { fileURLToPath } from "node:url";
import { join, dirname } from "node:path";
import os from "node:os";
import { measure } from "mitata";
import { TalkChannelClient, validateCustomerFileUsers } from "../pkg/node.js";
import { CHANNELS, sdkUsers, plainUsers, noNetworkAdd } from "./fixture.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ADD_HOT_ROUNDS ?? 6);
const log = (s) => process.stdout.write(`${s}\n`);

const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => {
  const s = sorted(a);
  const i = (s.length - 1) / 2;
  return (s[Math.floor(i)] + s[Math.ceil(i)]) / 2;
};
const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

/** Interleaved rounds of mitata `measure` (one call per sample), the order alternating. */
async function compare(name, variants, minMs) {
  for (const fn of Object.values(variants)) for (let i = 0; i < 20; i++) await fn();
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? Object.keys(variants) : Object.keys(variants).reverse();
    for (const v of order) {
      const st = await measure(variants[v], { min_cpu_time: minMs * 1e6, min_samples: 10, max_samples: 100_000, batch_threshold: 0, warmup_samples: 0 });
      samples[v].push(...st.samples.map((ns) => ns / 1e6));
    }
  }
  const med = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, median(s)]));
  const floor = med.stringify;
  log(`${name}`);
  for (const [k, m] of Object.entries(med)) log(`  ${k.padEnd(10)} ${fmt(m).padStart(9)}${k === "stringify" ? "" : `  ${(m / floor).toFixed(2)}× stringify`}`);
  return med;
}

const wasm = readFileSync(join(here, "..", "pkg", "kakao_talk_channel_bg.wasm"));
const gz = gzipSync(wasm, { level: zc.Z_BEST_COMPRESSION }).length;
log(`node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}; .wasm ${wasm.length} bytes, gzip -9 ${gz} bytes (${(gz / 1024).toFixed(1)} KiB)`);

const body = (users) => JSON.stringify({ file_id: 1, channel_public_id: CHANNELS[0], user_type: "app", users });

{
  const { sdk, baseline } = noNetworkAdd();
  const plainIn = plainUsers(2000);
  const sdkIn = sdkUsers(2000);
  await compare("2,000-user add, canned fetch (target ≤ 1.0 ms and ≤ 3× stringify)", {
    sdk,
    baseline,
    validate: () => validateCustomerFileUsers({ userType: "app", users: sdkIn }),
    stringify: () => body(plainIn).length,
  }, 300);
}

{
  const n = 200_000;
  const fetch = async () => new Response('{"file_id":1,"request_count":2000,"success_count":2000}', { status: 200 });
  const client = new TalkChannelClient({ restApiKey: "bench0rest0api0key000000000000000", fetch, logLevel: "off" });
  const sdkIn = sdkUsers(n);
  const plainIn = plainUsers(n);
  const params = { fileId: 1, channelPublicId: CHANNELS[0], userType: "app" };
  await compare("200,000-user add, canned fetch, vs JSON.stringify of the batches (target ≤ 3×)", {
    sdk: () => client.addCustomerFileUsers({ ...params, users: sdkIn }),
    stringify: () => {
      let bytes = 0;
      for (let i = 0; i < n; i += 2000) bytes += body(plainIn.slice(i, i + 2000)).length;
      return bytes;
    },
  }, 1500);
}

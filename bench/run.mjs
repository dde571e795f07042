// The benchmark: the SDK against a hand-written plain-JS client (baseline.mjs), in one run.
// `npm run bench` builds the release package first, then runs this file, which prints the
// table and writes BENCHMARKS.md at the repository root. BENCH_QUICK=1 runs every
// measurement briefly (a smoke, numbers not meaningful).
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync, cpSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";
import { fileURLToPath } from "node:url";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import os from "node:os";
import { measure } from "mitata";
import { TalkChannelClient } from "../pkg/node.js";
import { PlainKakaoClient } from "./baseline.mjs";
import { fixtureEmulator, CHANNELS, USER_ID, MULTI_IDS, ADD_USERS, sdkUsers, plainUsers, noNetworkAdd } from "./fixture.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const QUICK = process.env.BENCH_QUICK === "1";
const log = (s) => process.stderr.write(`${s}\n`);
const LOAD_BEFORE = os.loadavg()[0].toFixed(1);

// ---------- statistics and formatting ----------

const sorted = (a) => [...a].sort((x, y) => x - y);
function quantile(s, q) {
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}
const median = (a) => quantile(sorted(a), 0.5);

function fmtMs(ms) {
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.1 ? 1 : 0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}
const fmtKB = (b) => `${(b / 1000).toFixed(1)} KB`;

/**
 * Runs `variants` ({ sdk, baseline }: async functions) in interleaved rounds (the order
 * alternates each round), each round a mitata `measure` with one call per sample (no
 * batching). Returns per-variant pooled samples (ms) and per-round medians.
 */
async function compare(name, variants, { rounds, minMs, minSamples, warmup }) {
  log(`• ${name}`);
  for (const fn of Object.values(variants)) for (let i = 0; i < warmup; i++) await fn();
  const out = {};
  for (const v of Object.keys(variants)) out[v] = { samples: [], roundMedians: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? Object.keys(variants) : Object.keys(variants).reverse();
    for (const v of order) {
      const st = await measure(variants[v], {
        min_cpu_time: minMs * 1e6,
        min_samples: minSamples,
        max_samples: 100_000,
        batch_threshold: 0,
        warmup_samples: 0,
      });
      const ms = st.samples.map((ns) => ns / 1e6);
      out[v].samples.push(...ms);
      out[v].roundMedians.push(median(ms));
    }
  }
  const result = { name };
  for (const [v, d] of Object.entries(out)) {
    const s = sorted(d.samples);
    result[v] = { median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), n: s.length, roundMedians: d.roundMedians };
  }
  if (result.sdk && result.baseline) {
    result.ratio = result.sdk.median / result.baseline.median;
    const rr = result.sdk.roundMedians.map((m, i) => m / result.baseline.roundMedians[i]);
    result.ratioRange = [Math.min(...rr), Math.max(...rr)];
  }
  if (result.baselineTimeout) result.ratioTimeout = result.sdk.median / result.baselineTimeout.median;
  log(`  sdk ${fmtMs(result.sdk.median)}  baseline ${fmtMs(result.baseline.median)}  ratio ${result.ratio?.toFixed(3)}`);
  return result;
}

const P = QUICK
  ? { fast: { rounds: 2, minMs: 50, minSamples: 5, warmup: 5 }, slow: { rounds: 2, minMs: 1, minSamples: 1, warmup: 0 }, cold: 2 }
  : { fast: { rounds: 8, minMs: 400, minSamples: 50, warmup: 300 }, mid: { rounds: 6, minMs: 1500, minSamples: 10, warmup: 5 }, slow: { rounds: 4, minMs: 1, minSamples: 4, warmup: 1 }, cold: 20 };
P.mid ??= P.slow;

// ---------- the loopback emulator, in its own process ----------

async function startServer(delayMs = 0) {
  const child = spawn(process.execPath, [join(here, "server.mjs"), "--delay-ms", String(delayMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`emulator server exited (${code})`)));
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  return { ...JSON.parse(line), stop: () => new Promise((r) => { child.once("exit", r); child.stdin.end(); }) };
}

// ---------- measurements ----------

const results = [];
const notes = {};

async function inMemoryAndLoopback(server) {
  const { emulator } = await fixtureEmulator();
  const mem = { adminKey: emulator.adminKey, baseUrl: emulator.baseUrl, fetch: emulator.fetch };
  const params = { channelIds: CHANNELS, userId: USER_ID };
  const sdkMem = new TalkChannelClient(mem);
  const baseMem = new PlainKakaoClient(mem);
  const timedMem = new PlainKakaoClient({ ...mem, timeoutMs: 10_000 });
  results.push({
    key: "check-mem",
    label: "1a. `checkChannelRelationship`, emulator's in-memory `fetch`",
    target: { text: "≤ 1.8× baseline", met: (r) => r.ratio <= 1.8 },
    ...(await compare("checkChannelRelationship, in-memory fetch", {
      sdk: () => sdkMem.checkChannelRelationship(params),
      baseline: () => baseMem.checkChannelRelationship(params),
      baselineTimeout: () => timedMem.checkChannelRelationship(params),
    }, P.fast)),
  });
  const net = { adminKey: server.adminKey, baseUrl: server.url };
  const sdkNet = new TalkChannelClient(net);
  const baseNet = new PlainKakaoClient(net);
  const timedNet = new PlainKakaoClient({ ...net, timeoutMs: 10_000 });
  results.push({
    key: "check-http",
    label: "1b. `checkChannelRelationship`, loopback HTTP",
    target: { text: "≤ 1.15× baseline", met: (r) => r.ratio <= 1.15 },
    ...(await compare("checkChannelRelationship, loopback HTTP", {
      sdk: () => sdkNet.checkChannelRelationship(params),
      baseline: () => baseNet.checkChannelRelationship(params),
      baselineTimeout: () => timedNet.checkChannelRelationship(params),
    }, P.fast)),
  });
  const multi = { userIds: MULTI_IDS, channelIds: [CHANNELS[0]] };
  results.push({
    key: "multi",
    label: "3. `checkChannelRelationshipMulti`, 10,000 ids (50 calls), loopback",
    ...(await compare("checkChannelRelationshipMulti 10,000 ids, loopback HTTP", {
      sdk: () => sdkNet.checkChannelRelationshipMulti(multi),
      baseline: () => baseNet.checkChannelRelationshipMulti(multi),
    }, P.mid)),
  });
}

async function batchNoNetwork() {
  const run = noNetworkAdd();
  results.push({
    key: "batch",
    label: "2. one 2,000-user add: validate, build, serialise (canned `fetch`, no network)",
    target: { text: "SDK ≤ 1.0 ms and ≤ 3× baseline", met: (r) => r.sdk.median <= 1.0 && r.ratio <= 3 },
    ...(await compare("2,000-user add request, canned fetch", run, P.fast)),
  });
  log("• allocations of one 2,000-user add (separate process, --expose-gc)");
  const out = execFileSync(process.execPath, ["--expose-gc", "--max-semi-space-size=128", join(here, "alloc-child.mjs")], { encoding: "utf8" });
  notes.alloc = JSON.parse(out);
}

/** Both clients against `server`, the ADD_USERS users in each one's shape, and the add's params. */
function bulkSetup(server) {
  const keys = { restApiKey: server.restApiKey, baseUrl: server.url };
  return {
    sdk: new TalkChannelClient(keys),
    plain: new PlainKakaoClient(keys),
    sdkIn: sdkUsers(ADD_USERS),
    plainIn: plainUsers(ADD_USERS),
    params: { fileId: server.fileId, channelPublicId: CHANNELS[0], userType: "app" },
  };
}

async function bulkAdd(server) {
  const { sdk, plain, sdkIn, plainIn, params } = bulkSetup(server);
  const r = await compare("add 100,000 users (50 batches), loopback HTTP", {
    sdk: () => sdk.addCustomerFileUsers({ ...params, users: sdkIn }),
    baseline: () => plain.addCustomerFileUsers({ ...params, users: plainIn }),
  }, P.slow);
  const c4 = await compare("add 100,000 users, SDK concurrency 4 vs the sequential baseline", {
    sdk: () => sdk.addCustomerFileUsers({ ...params, users: sdkIn }, { concurrency: 4 }),
    baseline: () => plain.addCustomerFileUsers({ ...params, users: plainIn }),
  }, P.slow);
  c4.throughput = { sdk: ADD_USERS / (c4.sdk.median / 1000), baseline: ADD_USERS / (c4.baseline.median / 1000) };
  results.push({
    key: "bulk4",
    label: "4b. add 100,000 users, loopback, SDK `concurrency: 4` vs the sequential baseline",
    // No target: over loopback the client, the emulator and the baseline share the same 2 cores,
    // which bound any concurrency. Issue 19 moved the target to 4c (every answer 30 ms late).
    ...c4,
  });
  const check = await sdk.addCustomerFileUsers({ ...params, users: sdkIn });
  if (check.requestCount !== ADD_USERS || check.batches.length !== 50) throw new Error("bulk add: unexpected answer");
  // Throughput is users per second; its ratio is the inverse of the time ratio.
  r.throughput = { sdk: ADD_USERS / (r.sdk.median / 1000), baseline: ADD_USERS / (r.baseline.median / 1000) };
  results.push({
    key: "bulk",
    label: "4a. add 100,000 users (50 batches of 2,000), loopback, SDK default (sequential)",
    ...r,
  });
}

/**
 * Concurrency where it matters: the emulator answers every add 30 ms late (Kakao is some 30–80 ms
 * away), so the client's CPU is not the bottleneck. 100,000 users (50 batches): the sequential
 * plain-JS baseline against the SDK at concurrency 1, 4 and 8.
 */
const DELAY_MS = 30;
async function delayedBulkAdd() {
  const server = await startServer(DELAY_MS);
  try {
    const { sdk, plain, sdkIn, plainIn, params } = bulkSetup(server);
    const at = (concurrency) => () => sdk.addCustomerFileUsers({ ...params, users: sdkIn }, { concurrency });
    const check = await at(8)();
    if (check.requestCount !== ADD_USERS || check.batches.length !== 50) throw new Error("delayed bulk add: unexpected answer");
    const r = await compare(`add 100,000 users, every add answered ${DELAY_MS} ms late: SDK concurrency 1, 4, 8 vs the sequential baseline`, {
      sdk: at(4),
      baseline: () => plain.addCustomerFileUsers({ ...params, users: plainIn }),
      c1: at(1),
      c8: at(8),
    }, QUICK ? P.slow : { rounds: 3, minMs: 1, minSamples: 3, warmup: 1 });
    const perSecond = (x) => ADD_USERS / (x.median / 1000);
    const base = perSecond(r.baseline);
    const line = (name, x) => `${name} ${fmtMs(x.median)}: ${Math.round(perSecond(x)).toLocaleString("en")} users/s = **${(perSecond(x) / base).toFixed(2)}×**`;
    r.throughput = { sdk: perSecond(r.sdk), baseline: base };
    r.extra = `<br>${[line("concurrency 1", r.c1), line("concurrency 4", r.sdk), line("concurrency 8", r.c8)].join("<br>")} (baseline ${Math.round(base).toLocaleString("en")} users/s)`;
    results.push({
      key: "bulk-delay",
      label: `4c. add 100,000 users (50 batches), emulator answering each add after ${DELAY_MS} ms, SDK \`concurrency: 4\` vs the sequential baseline (1 and 8 in the ratio column)`,
      target: { text: "concurrency 4: throughput ≥ 3× baseline", met: (x) => x.throughput.sdk >= 3 * x.throughput.baseline },
      ...r,
    });
  } finally {
    await server.stop();
  }
}

/** 50,000 and 200,000 users with a canned fetch: the SDK against `JSON.stringify` of the same batches. */
async function bigAdd() {
  const fetch = async () => new Response('{"file_id":1,"request_count":2000,"success_count":2000}', { status: 200 });
  const sdk = new TalkChannelClient({ restApiKey: "bench0rest0api0key000000000000000", fetch, logLevel: "off" });
  const out = {};
  for (const n of [50_000, 200_000]) {
    const sdkIn = sdkUsers(n);
    const plainIn = plainUsers(n);
    const params = { fileId: 1, channelPublicId: CHANNELS[0], userType: "app" };
    // The SDK's canned fetch says 2,000 for every batch; the last batch of these sizes is full too.
    const r = await compare(`add ${n.toLocaleString("en")} users, canned fetch, vs JSON.stringify of the batches`, {
      sdk: () => sdk.addCustomerFileUsers({ ...params, users: sdkIn }),
      baseline: () => {
        let bytes = 0;
        for (let i = 0; i < plainIn.length; i += 2000) bytes += JSON.stringify({ file_id: 1, channel_public_id: CHANNELS[0], user_type: "app", users: plainIn.slice(i, i + 2000) }).length;
        return bytes;
      },
    }, P.slow);
    out[n] = r;
    results.push({ key: `big-${n}`, label: `2b. add ${n.toLocaleString("en")} users, canned \`fetch\`; baseline: \`JSON.stringify\` of the same batches`, ...r });
  }
  notes.big = { ratio200: out[200_000].ratio, growth: out[200_000].sdk.median / out[50_000].sdk.median };
  log("• wasm memory of a 1,000,000-user add (separate process)");
  notes.memory = JSON.parse(execFileSync(process.execPath, [join(here, "memory-child.mjs"), QUICK ? "100000" : "1000000"], { encoding: "utf8" }));
}

async function coldStart(server) {
  log(`• cold start: ${P.cold} fresh node processes per variant and mode, interleaved`);
  const runs = {};
  for (const mode of ["loopback", "canned"]) {
    for (const v of ["sdk", "baseline"]) runs[`${v}/${mode}`] = { importAndCall: [], import: [], firstCall: [], wall: [] };
    for (let i = 0; i < P.cold; i++) {
      for (const v of i % 2 ? ["baseline", "sdk"] : ["sdk", "baseline"]) {
        const t0 = performance.now();
        const out = execFileSync(process.execPath, [join(here, "cold-child.mjs"), v, mode, server.url, server.adminKey], { encoding: "utf8" });
        const wall = performance.now() - t0;
        const m = JSON.parse(out);
        const d = runs[`${v}/${mode}`];
        d.importAndCall.push(m.importAndCall);
        d.import.push(m.import);
        d.firstCall.push(m.firstCall);
        d.wall.push(wall);
      }
    }
  }
  const summary = {};
  for (const [k, d] of Object.entries(runs)) {
    summary[k] = Object.fromEntries(Object.entries(d).map(([m, a]) => {
      const s = sorted(a);
      return [m, { median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), n: s.length }];
    }));
  }
  notes.cold = summary;
  for (const mode of ["loopback", "canned"]) {
    const sdk = summary[`sdk/${mode}`].importAndCall;
    const baseline = summary[`baseline/${mode}`].importAndCall;
    results.push({
      key: `cold-${mode}`,
      label: mode === "loopback"
        ? "5a. cold start, Node: import + construct + first call (loopback HTTP, global `fetch`)"
        : "5b. cold start, Node: import + construct + first call (canned `fetch`: no undici load)",
      target: mode === "canned" ? { text: "SDK's own share (SDK − baseline) ≤ 8 ms", met: (r) => r.sdk.median - r.baseline.median <= 8 } : undefined,
      sdk, baseline, ratio: sdk.median / baseline.median,
    });
  }
}

async function workerdColdStart() {
  // Miniflare starts a workerd process per instance; time from `new Miniflare` to the first
  // response, for a Worker importing the SDK (the `workerd` entry) and one using the baseline.
  const runs = QUICK ? 1 : 6;
  log(`• cold start in workerd (Miniflare): ${runs} instances per variant, interleaved`);
  const { Miniflare } = await import(join(root, "node_modules", "miniflare", "dist", "src", "index.js"));
  const dir = mkdtempSync(join(tmpdir(), "ktc-bench-"));
  try {
    cpSync(join(root, "pkg"), join(dir, "pkg"), { recursive: true });
    mkdirSync(join(dir, "bench"));
    cpSync(join(here, "baseline.mjs"), join(dir, "bench", "baseline.mjs"));
    const canned = '{"user_id":1234567890,"channels":[{"channel_uuid":"@ZeUTxl","channel_public_id":"_ZeUTxl","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2020-04-18T03:17:05Z"}]}';
    const body = (imp, cls) => `${imp}
const fetch = async () => new Response(${JSON.stringify(canned)}, { status: 200, headers: { "content-type": "application/json" } });
export default {
  async fetch() {
    const c = new ${cls}({ adminKey: "bench0admin0key0000000000000000", fetch });
    const r = await c.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234567890" });
    return new Response(String(r.channels.length));
  },
};
`;
    writeFileSync(join(dir, "sdk.mjs"), body('import { TalkChannelClient } from "./pkg/workerd.js";', "TalkChannelClient"));
    writeFileSync(join(dir, "baseline.mjs"), body('import { PlainKakaoClient } from "./bench/baseline.mjs";', "PlainKakaoClient"));
    const times = { sdk: [], baseline: [] };
    for (let i = 0; i < runs; i++) {
      for (const v of i % 2 ? ["baseline", "sdk"] : ["sdk", "baseline"]) {
        const t0 = performance.now();
        const mf = new Miniflare({
          modules: true,
          modulesRoot: dir,
          scriptPath: join(dir, `${v}.mjs`),
          modulesRules: [
            { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
            { type: "CompiledWasm", include: ["**/*.wasm"] },
          ],
          compatibilityDate: "2026-04-01",
        });
        try {
          const res = await mf.dispatchFetch("http://localhost/");
          const text = await res.text();
          times[v].push(performance.now() - t0);
          if (text !== "1") throw new Error(`workerd ${v}: unexpected answer ${text}`);
        } finally {
          await mf.dispose();
        }
      }
    }
    const stat = (a) => { const s = sorted(a); return { median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), n: s.length }; };
    const sdk = stat(times.sdk);
    const baseline = stat(times.baseline);
    results.push({
      key: "cold-workerd",
      label: "5c. cold start, workerd (Miniflare): new instance → first response (canned `fetch`), incl. workerd's own start",
      sdk, baseline, ratio: sdk.median / baseline.median,
    });
  } catch (err) {
    notes.workerdError = String(err?.message ?? err);
    log(`  workerd cold start skipped: ${notes.workerdError}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sizes() {
  const wasm = readFileSync(join(root, "pkg", "kakao_talk_channel_bg.wasm"));
  const gzip = gzipSync(wasm, { level: 9 }).length;
  const brotli = brotliCompressSync(wasm, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const pack = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: join(root, "pkg"), encoding: "utf8" }));
  notes.size = { raw: wasm.length, gzip, brotli, tarball: pack[0].size, unpacked: pack[0].unpackedSize, files: pack[0].entryCount };
}

// ---------- the report ----------

function rowFor(r) {
  const cell = (x) => `${fmtMs(x.median)} (${fmtMs(x.p25)}–${fmtMs(x.p75)})`;
  let ratio = `${r.ratio.toFixed(2)}×`;
  if (r.ratioRange) ratio += ` (${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)})`;
  let extra = "";
  if (r.baselineTimeout) extra = `<br>vs baseline + timeout (${fmtMs(r.baselineTimeout.median)}): ${r.ratioTimeout.toFixed(2)}×`;
  if (r.key?.startsWith("cold-")) extra = `<br>SDK − baseline: ${fmtMs(r.sdk.median - r.baseline.median)}`;
  if (r.extra) extra = r.extra;
  else if (r.throughput) extra = `<br>${Math.round(r.throughput.sdk).toLocaleString("en")} vs ${Math.round(r.throughput.baseline).toLocaleString("en")} users/s = **${(r.throughput.sdk / r.throughput.baseline).toFixed(2)}×** throughput`;
  const target = r.target ? `${r.target.text}: **${r.target.met(r) ? "met" : "missed"}**` : "—";
  return `| ${r.label} | ${cell(r.sdk)} | ${cell(r.baseline)} | ${ratio}${extra} | ${target} |`;
}

function report() {
  const s = notes.size;
  const a = notes.alloc;
  const gzipMet = s.gzip <= 120 * 1000;
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const lines = [];
  lines.push("# Benchmarks");
  lines.push("");
  lines.push(`Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${date}.${QUICK ? " **BENCH_QUICK=1: a smoke run, numbers not meaningful.**" : ""}`);
  lines.push("");
  lines.push(`Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; mitata ${JSON.parse(readFileSync(join(root, "node_modules", "mitata", "package.json"), "utf8")).version}. 1-minute load average ${LOAD_BEFORE} when the run started, ${os.loadavg()[0].toFixed(1)} when it ended (the machine is shared: a load above its 2 cores slows every figure).`);
  lines.push("");
  lines.push("## Results");
  lines.push("");
  lines.push("KB = 1,000 bytes. Times are medians with the interquartile range (p25–p75) of all samples; the ratio is SDK median / baseline median, with the range of the per-round ratios in brackets.");
  lines.push("");
  lines.push("| measurement | SDK | baseline (plain JS) | SDK / baseline | target |");
  lines.push("|---|---|---|---|---|");
  for (const r of results) lines.push(rowFor(r));
  lines.push(`| 2. allocations of one 2,000-user add | JS heap +${fmtKB(a.sdkHeapBytes)}; wasm memory ${fmtKB(a.wasmMemoryFirst)} → ${fmtKB(a.wasmMemoryAfter)} (high-water, never shrinks) | JS heap +${fmtKB(a.baselineHeapBytes)} | ${(a.sdkHeapBytes / a.baselineHeapBytes).toFixed(2)}× (JS heap) | — |`);
  lines.push(`| 6. \`.wasm\` size | ${fmtKB(s.raw)} raw, **${fmtKB(s.gzip)} gzip**, ${fmtKB(s.brotli)} brotli; npm tarball ${fmtKB(s.tarball)} (${s.files} files, ${fmtKB(s.unpacked)} unpacked) | — | — | gzip ≤ 120 KB: **${gzipMet ? "met" : "missed"}** |`);
  if (notes.memory) lines.push(`| 7. wasm memory after one ${notes.memory.users.toLocaleString("en")}-user add (canned \`fetch\`, fresh process) | ${(notes.memory.wasmBefore / 2 ** 20).toFixed(1)} → **${(notes.memory.wasmAfter / 2 ** 20).toFixed(1)} MiB** (${fmtMs(notes.memory.ms)}) | — | — | ≤ 64 MB: **${notes.memory.wasmAfter <= 64 * 2 ** 20 ? "met" : "missed"}** |`);
  if (notes.workerdError) lines.push(`| 5c. cold start, workerd | not measured: ${notes.workerdError} | | | |`);
  lines.push("");
  lines.push("## Targets");
  lines.push("");
  for (const r of results.filter((x) => x.target)) {
    lines.push(`- ${r.label.replace(/^[\d.a-z]+ /, "")}: ${r.target.text} — **${r.target.met(r) ? "met" : "missed"}** (SDK ${fmtMs(r.sdk.median)}, baseline ${fmtMs(r.baseline.median)}, ${r.ratio.toFixed(2)}×).`);
  }
  lines.push(`- gzip \`.wasm\` ≤ 120 KB — **${gzipMet ? "met" : "missed"}** (${fmtKB(s.gzip)}).`);
  const big = notes.big;
  if (big) {
    lines.push(`- 200,000-user add (canned \`fetch\`) ≤ 3× \`JSON.stringify\` of the same batches — **${big.ratio200 <= 3 ? "met" : "missed"}** (${big.ratio200.toFixed(2)}×); 50 k → 200 k grows ≤ 4.6× — **${big.growth <= 4.6 ? "met" : "missed"}** (${big.growth.toFixed(2)}×).`);
  }
  if (notes.memory) {
    lines.push(`- wasm memory after a 1,000,000-user add ≤ 64 MB — **${notes.memory.wasmAfter <= 64 * 2 ** 20 ? "met" : "missed"}** (${(notes.memory.wasmAfter / 2 ** 20).toFixed(1)} MiB).`);
  }
  lines.push("");
  lines.push("## Cold start details (Node, fresh process each, milliseconds)");
  lines.push("");
  lines.push("| variant | import | construct + first call | import + first call | process wall time (spawn → exit) |");
  lines.push("|---|---|---|---|---|");
  for (const [k, d] of Object.entries(notes.cold)) {
    lines.push(`| ${k} | ${d.import.median.toFixed(2)} | ${d.firstCall.median.toFixed(2)} | ${d.importAndCall.median.toFixed(2)} | ${d.wall.median.toFixed(1)} |`);
  }
  lines.push("");
  lines.push("## What remains (from profiles, not re-measured by this run)");
  lines.push("");
  lines.push("- **Single call** (1a, 1b). Item by item, from an instrumented build (in memory, medians of 15,000 warm calls; each mark adds 0.3–0.4 µs): packing the params 1.4 µs; the wasm call to its first poll (`future_to_promise`) 1.75; reading the packed arguments, secrets and method 1.56; params and call options 1.78; the request's query 1.74; the route 0.94; hooks and the attempt's setup 1.0; the `AbortController`, timer and init 2.95 (the baseline + timeout pays the same); the emulator's `fetch` 35; reading the answer in JS 6.4 (Node's `text()` would be 5.4); resuming the Rust future 2.3; the attempt's outcome through five getters 2.5; the retry decision 0.7; the attempt's record 0.75; reading the answer (`serde_json::Value`) 6.8; the result's JSON 2.4; `$metadata` (headers read, redacted, written) 3.4; the result handed back and resolved 1.4; `withMetadata` 3.2. No item is large: the target needs the SDK's own work (about 36 µs over the baseline + timeout) under 14 µs. A one-pass reader of the usual relationship answer (no `serde_json::Value`) saves 2.6 µs for 1.1 KB gzip: not kept. **Over loopback** the SDK's request is the same as the baseline's (method, target, one `Authorization` header, a `signal`; the emulator's CPU per call is the same within its 10 ms ticks), and `text()` instead of the stream reader, no header object or no race on `fetch` measure within noise; but the client's CPU per call is 606 µs against 345 µs for the baseline + timeout: the same work run with cold caches between calls (in memory, an 8 MB cache thrash or a timer between calls grows the SDK's extra from 40 to 97–129 µs). Meeting 1.15× would need the in-memory extra near 10 µs.");
  lines.push("- **The 2,000-user add** (2 met, 2b). In a profile (before the last four steps below) of 3,000 adds: building the chunk in JS (`packFlat`) 18.5% and flattening its string 7.8%, copying the body out of wasm into a `Uint8Array` 5.8% (a view of wasm memory is unsafe while a caller's `fetch` may read the body later), garbage collection 5%, wasm about 45% (the token reader, each field's checks and the body writer; writing no field values at all would save 21%). Done this round: each field key's JSON text made once per name, plain strings written without a second scan, the chunk appended piece by piece, and an `O` token for a user whose keys are the last user's (a 2,000-user chunk 122 → 62 KB, 9 → 5 tokens a user): −15%, JS heap per add 1,053 → 852 KB; then a user's keys and values read by `for…in` where `Object.prototype` has no enumerable key (−3.8%), decimal ids of up to 18 digits read in one pass (−6.7%), the first hole of `users` found while packing instead of from `Object.keys` of the array (−3.8%), the checker's refusals out of line: −12% more. Measured and not kept: scanning tokens 8 bytes at a time, fast paths for short numbers and `parse_u64`, the chunk built with `JSON.stringify` or `Array.join`, opt-level 2/3 for `crates/users`. Left: the body's copy out of wasm (about 65 µs a call: the fresh 140 KB allocation, not the copy; `memory.buffer.slice` and `set` into a new array measured no faster), `isMap` once per user and per `fields` (1.7%). At 200,000 users every chunk is packed before the call enters wasm and read twice (all checked before anything is sent, then each again as its batch starts). Measured and not kept: writing the bodies during the check pass and keeping them up to 20 MiB (a read of each user saved for adds of up to about 200,000 users) took the 200,000-user add from 141 to 109 ms (`bench/add-hot.mjs`: 4.0× → 3.2× the floor, still missed) but raised the wasm memory after a 200,000-user add to 28.9 MB and after a 1,000,000-user add from 37.1 to 62.4 MB (it never shrinks), at the edge of its 64 MB target. 3× the floor needs that read saved without the memory (an add that trusts rows already checked, or bodies handed to JS as they are written) and cheaper packing.");
  lines.push("- **Cold start** (5b; phases from `performance.now()` marks in 60 fresh processes, interleaved, load about 3): the ESM loader up to `node.cjs` with Node's first CommonJS load 3.2 ms (about 2.5 ms over a plain `.mjs`; one module instance for `import` and `require` on Node 18 needs CommonJS), loading `node-bundle.cjs` and compiling `node-core.cjs` 1.7 ms, running it 0.3 ms, reading the `.wasm` 0.6 ms, `new WebAssembly.Module` 2.4 ms (3.9 ms before this round: V8 compiled a TurboFan wrapper for each export returning multi-values; the build now drops that feature), instantiation 0.6 ms, the constructor 2.6 ms, the first call 5.4 ms (the baseline's: 1.5 ms). A second copy of the package in the same process (its wasm compiled, its JS fresh) constructs in 0.65 ms and makes its first call in 1.3 ms: about 6 ms of the share is V8 compiling the 87 KB of wasm the constructor and first call run (the retry loop, `future_to_promise`, the answer read as `serde_json::Value`, `WasmClient::new` 4.8 KB, `normalize_base_url` 4.2 KB), and only fewer bytes would shorten it (more or fewer, larger or smaller functions did not). Half of the Module's time is not the code: a copy with every function body stubbed out takes 1.7 of its 3.1 ms. Measured and not kept: no reference types (no change), compiling in the background (slower in Node 20), a minified glue (no change), more inlining (+1.3 KB gzip, no gain); `--wasm-lazy-validation` would save about 1 ms but is a process-wide V8 flag.");
  lines.push("- **Concurrency with a distant Kakao** (4c, met). A timeline of one run at concurrency 4 (server timestamps from an instrumented emulator, client ones from a wrapped `fetch`): the four adds left together and came back together, so before this round each one's parse and route (3–4 ms) queued behind the others' (the 30 ms timer fired 3.5 ms late, handlers started 3–4 ms late) and the client built the next batch between an answer and the next request (about 1 ms). Now the emulator parses a delayed add's body while the delay runs (the route still runs after it, so the state changes when the wait ends) and looks up the channel's relations once per add, and the runner builds the next batch while every slot waits (after a turn of the event loop, so the requests just started go out first): a request takes 41–43 ms instead of 45–57, the next leaves 0.3 ms after an answer. What is left: the first request leaves 60–70 ms after the call (every user is checked before anything is sent: about half of it packing the 100,000 users in JS, half the wasm check pass), and 2–3 ms per request of the emulator busy with other requests.");
  lines.push("- **Sync at 1,000,000 rows** (met). The CLI checks each row once before sending (validateCustomerFileUsers, 2,000 rows a call) and sends one SDK call per batch of 2,000, built as it starts; it reads the CSV once (`cli/records.mjs`, ASCII lines decoded in blocks), keeping each add's byte offset, and reads only the adds again as their batches start; journal lines are written from the id table's bytes, fingerprints from per-column pieces made once, ids in sequence take neighbouring slots of the id table. What is left in a 300,000-row profile from scratch: the SDK, well over half (the checks before sending and the add calls, which check and pack the same rows again: checking once would need an add that trusts rows already checked, a Rust API), garbage collection (much of it the SDK's packing), SHA-256 fingerprints (about 0.5 µs a row, as state files record them) and reading the adds again. Peak RSS: the CSV's bytes, the id tables, the JS heap's headroom while batches are in flight, and the wasm memory.");
  lines.push("");
  lines.push("## Method");
  lines.push("");
  lines.push("- **Baseline** (`bench/baseline.mjs`): a hand-written client doing the same requests with `fetch`, `JSON.stringify` and `JSON.parse`: no validation, no timeout, no retries, users given already in Kakao's wire shape (Korean keys). Request targets and bodies are byte-identical to the SDK's. It returns Kakao's parsed JSON as is (the SDK also converts to camelCase, `Date`s and exact string ids). For the single call, a third variant, *baseline + timeout*, adds what the SDK does for every attempt's timeout (an `AbortController` whose signal goes to `fetch`, a `setTimeout` and its `clearTimeout`), to show how much of the difference is that safety alone.");
  lines.push("- **Harness**: [mitata](https://github.com/evanwashere/mitata) `measure()`, one call per sample (batching off), explicit warm-up calls first, then rounds that alternate the order of SDK and baseline (interleaved), each round running until its minimum time and sample count. Samples of all rounds are pooled for the median and IQR.");
  lines.push("- **Emulator**: `kakao-talk-channel/testing`. In-memory: its `fetch` in the benchmark process. Loopback: `startKakaoEmulatorServer` in a separate Node process (`bench/server.mjs`), so its work does not share the client's event loop; both clients use Node's global `fetch` (undici, keep-alive). Its request log is cleared every 200 ms.");
  lines.push("- **2,000-user add without network**: `addCustomerFileUsers` with a `fetch` option that answers at once with a canned 200 `{\"file_id\":1,\"request_count\":2000,\"success_count\":2000}`; the baseline does `JSON.stringify` of the body and the same fake fetch. Every user has an id and two fields. **Allocations**: a separate process with `--expose-gc --max-semi-space-size=128` (no collection inside one call); the median over 40 calls of the `process.memoryUsage().heapUsed` delta across one call after two full GCs; and the wasm linear memory size before the first add and after 60.");
  lines.push(`- **Bulk add**: 100,000 users (50 batches of 2,000) to a customer file of the loopback emulator; half of the users have added the channel. 4a: the SDK's default (one batch at a time) against the baseline doing the same; 4b: the SDK with \`concurrency: 4\` against the same sequential baseline. Over loopback both share the 2 cores with the emulator, which makes the CPU the bottleneck; 4c gives the emulator (its own process, \`bench/server.mjs --delay-ms ${DELAY_MS}\`) a ${DELAY_MS} ms delay before every add's answer, as a Kakao some 30–80 ms away would, and runs the SDK at concurrency 1, 4 and 8 against the sequential baseline (throughput = 100,000 users / median time).`);
  lines.push("- **Large adds without network**: 50,000 and 200,000 users with a canned `fetch`; the baseline is only `JSON.stringify` of the same batches in Kakao's wire shape (the floor of any client), so the ratio shows what reading, validating and building cost on top. **Wasm memory**: one 1,000,000-user add in a fresh process, the SDK's wasm instance caught as it is created (`bench/memory-child.mjs`), its linear memory read before and after (it never shrinks, so this is the call's high-water mark).");
  lines.push(`- **Cold start (Node)**: ${P.cold} fresh \`node\` processes per variant and mode, interleaved. Inside the process, \`performance.now()\` before the dynamic \`import()\` of the entry (\`pkg/node.js\`, which loads \`node.cjs\` and \`node-bundle.cjs\`: it reads \`kakao_talk_channel_bg.wasm\` next to it and compiles it synchronously — the base64 copy in \`wasm-inline.cjs\` is only for bundles — or \`bench/baseline.mjs\`), after it, and after the first \`checkChannelRelationship\` resolved. "Loopback" uses the global \`fetch\` against the emulator process, so both variants include loading Node's undici; "canned" passes a \`fetch\` returning a canned \`Response\`, which isolates the SDK's own cold cost. Wall time is the parent's spawn → exit.`);
  lines.push("- **Cold start (workerd)**: Miniflare with the `workerd` entry (the `.wasm` as a compiled wasm module), timed from `new Miniflare()` to the first response of a Worker that constructs a client and makes one call with a canned `fetch`; this includes starting the workerd process, which dominates.");
  lines.push("- **Noise**: the machine is shared with other work; the per-round ratio ranges in brackets show the spread, and single-call medians move by about ±10% between runs.");
  lines.push("- **Sizes**: `pkg/kakao_talk_channel_bg.wasm` as built (`wasm-opt -Oz`), gzip level 9, brotli quality 11; the tarball size from `npm pack --dry-run --json` in `pkg/`.");
  lines.push("");
  return lines.join("\n");
}

// ---------- main ----------

// BENCH_ONLY=delay: only the delayed bulk add, its rows printed (BENCHMARKS.md untouched).
if (process.env.BENCH_ONLY === "delay") {
  await delayedBulkAdd();
  for (const r of results) process.stdout.write(`${rowFor(r)}\n`);
  process.exit(0);
}
sizes();
const server = await startServer();
try {
  await inMemoryAndLoopback(server);
  await batchNoNetwork();
  await bigAdd();
  await bulkAdd(server);
  await coldStart(server);
} finally {
  await server.stop();
}
await delayedBulkAdd();
await workerdColdStart();
log("• sync CLI at 1,000,000 rows (bench/sync-scale.mjs, a child process)");
const syncScale = execFileSync(process.execPath, [join(here, "sync-scale.mjs"), "--rows", QUICK ? "20000" : "1000000"], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
  maxBuffer: 1 << 24,
});
const md = `${report()}\n${syncScale.trim()}`;
process.stdout.write(`${md}\n`);
writeFileSync(join(root, "BENCHMARKS.md"), `${md}\n`);
log("wrote BENCHMARKS.md");

// A focused A/B bench for the two rows bench/run.mjs takes minutes to reach: the cold start
// (import + construct + first call, canned `fetch`, in fresh `node` processes) and the single
// `checkChannelRelationship` against the emulator's in-memory `fetch`. It compares built
// packages (directories shaped like pkg/) with each other and with the plain-JS baseline,
// interleaving them so a shared machine's load falls on every variant alike; it prints medians
// and per-round ratios. Not part of `npm run bench` and it writes nothing.
//
//   node bench/cold-hot.mjs cold [N] [pkgDir …]   N fresh processes per variant (default 30)
//   node bench/cold-hot.mjs hot [ROUNDS] [pkgDir …] in-memory single call, ROUNDS rounds (default 8)
//
// pkgDir defaults to pkg/; several dirs compare builds (e.g. a copy of main's pkg/ with this one).
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => {
  const s = sorted(a);
  const i = (s.length - 1) / 2;
  return (s[Math.floor(i)] + s[Math.ceil(i)]) / 2;
};
const f2 = (x) => x.toFixed(2);
const canned = '{"user_id":1234567890,"channels":[{"channel_uuid":"@ZeUTxl","channel_public_id":"_ZeUTxl","relation":"ADDED","created_at":"2020-04-18T03:17:05Z","updated_at":"2020-04-18T03:17:05Z"}]}';

/** In a child: one cold start of `entry` (a pkg dir, or "baseline"); prints phase times (ms). */
async function coldChild(entry) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const mod = entry === "baseline" ? await import("./baseline.mjs") : await import(pathToFileURL(join(entry, "node.js")).href);
  const Client = mod.TalkChannelClient ?? mod.PlainKakaoClient;
  const t1 = performance.now();
  const fetch = async () => new Response(canned, { status: 200, headers: { "content-type": "application/json" } });
  // The Response class is loaded lazily by Node (undici): load it before timing the call.
  new Response("");
  const t2 = performance.now();
  const client = new Client({ adminKey: "bench0admin0key00000000000000000", baseUrl: "http://127.0.0.1:9", fetch });
  const t3 = performance.now();
  const r = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234567890" });
  const t4 = performance.now();
  if (!r?.channels?.length) throw new Error("unexpected answer");
  // CPU time of the whole process (all threads, the `Response` warm-up included) over the same
  // span: less sensitive than wall time to other processes on a shared machine.
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  process.stdout.write(JSON.stringify({ import: t1 - t0, construct: t3 - t2, firstCall: t4 - t3, total: t1 - t0 + (t4 - t2), cpu }));
}

function cold(n, dirs) {
  const variants = ["baseline", ...dirs];
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  for (let i = 0; i < n; i++) {
    const order = i % 2 ? [...variants].reverse() : variants;
    for (const v of order) runs[v].push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), "cold-child", v], { encoding: "utf8" })));
  }
  const base = median(runs.baseline.map((r) => r.total));
  const baseCpu = median(runs.baseline.map((r) => r.cpu));
  for (const v of variants) {
    const m = (k) => median(runs[v].map((r) => r[k]));
    console.log(`${v.padEnd(28)} import ${f2(m("import"))}  construct ${f2(m("construct"))}  firstCall ${f2(m("firstCall"))}  total ${f2(m("total"))}  − baseline ${f2(m("total") - base)} ms  cpu ${f2(m("cpu"))} − baseline ${f2(m("cpu") - baseCpu)} ms`);
  }
}

async function hot(rounds, dirs) {
  const { measure } = await import("mitata");
  const { PlainKakaoClient } = await import("./baseline.mjs");
  const { createKakaoEmulator } = await import(pathToFileURL(join(dirs[0], "testing", "index.js")).href);
  const emulator = createKakaoEmulator();
  for (const c of ["_ZeUTxl", "_xcLqmC"]) emulator.addChannel(c);
  emulator.setRelation("1234567890", "_ZeUTxl", "ADDED");
  emulator.setRelation("1234567890", "_xcLqmC", "BLOCKED");
  setInterval(() => (emulator.requests.length = 0), 200).unref();
  const opts = { adminKey: emulator.adminKey, baseUrl: emulator.baseUrl, fetch: emulator.fetch };
  const params = { channelIds: ["_ZeUTxl", "_xcLqmC"], userId: "1234567890" };
  const fns = { baseline: () => new PlainKakaoClient(opts).checkChannelRelationship(params) };
  const plain = new PlainKakaoClient(opts);
  fns.baseline = () => plain.checkChannelRelationship(params);
  for (const d of dirs) {
    const { TalkChannelClient } = await import(pathToFileURL(join(d, "node.js")).href);
    const c = new TalkChannelClient(opts);
    fns[d] = () => c.checkChannelRelationship(params);
  }
  const names = Object.keys(fns);
  for (const fn of Object.values(fns)) for (let i = 0; i < 500; i++) await fn();
  const med = Object.fromEntries(names.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of r % 2 ? [...names].reverse() : names) {
      const st = await measure(fns[v], { min_cpu_time: 400e6, min_samples: 50, max_samples: 100_000, batch_threshold: 0, warmup_samples: 0 });
      med[v].push(median(st.samples) / 1e3);
    }
  }
  for (const v of names) {
    const ratios = med[v].map((m, i) => m / med.baseline[i]);
    console.log(`${v.padEnd(28)} ${f2(median(med[v]))} µs  ratio ${f2(median(ratios))} [${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))}]`);
  }
}

const [mode, count, ...rest] = process.argv.slice(2);
const dirs = (rest.length ? rest : [join(here, "..", "pkg")]).map((d) => resolve(d));
if (mode === "cold-child") await coldChild(count === "baseline" ? count : resolve(count));
else if (mode === "cold") cold(Number(count ?? 30), dirs);
else if (mode === "hot") await hot(Number(count ?? 8), dirs);
else throw new Error("usage: node bench/cold-hot.mjs cold|hot [N] [pkgDir …]");

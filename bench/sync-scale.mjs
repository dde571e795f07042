// `kakao-talk-channel sync` at 1,000,000 rows: the CLI (pkg/cli.mjs) as a child process against
// the Kakao emulator served over loopback by this process. Two runs: a 1,000,000-row CSV synced
// into an empty customer file, then a re-sync after 1% of the rows changed (8,000 edited, 1,000
// removed, 1,000 new). For each: wall time and the CLI child's peak RSS (`/usr/bin/time -v` when
// present, else VmHWM from /proc/<pid>/status polled while it runs). Checks what the emulator's
// file holds after each run. Prints a markdown section to stdout (progress on stderr).
//
//   node bench/sync-scale.mjs [--rows N] [--cpu-prof DIR] [--cli PATH]     (needs pkg/: npm run build)
//
// --cpu-prof DIR: the CLI child runs with `node --cpu-prof --cpu-prof-dir DIR` (one .cpuprofile per run).
// --cli PATH: another build's cli.mjs (e.g. an earlier commit's pkg/ copied aside), to compare two
// versions on the same machine at the same time.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startKakaoEmulatorServer } from "../pkg/testing/index.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, "cpu-prof": { type: "string" }, cli: { type: "string" } } });
const CLI = values.cli ?? fileURLToPath(new URL("../pkg/cli.mjs", import.meta.url));
const PROFILE = values["cpu-prof"] === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]];
const ROWS = Number(values.rows);
const CH = "_ZeUTxl";
const BASE_ID = 5_000_000_000;
const TARGETS = { scratchS: 10, resyncS: 4, rssMB: 300 };
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const log = (text) => process.stderr.write(`sync-scale: ${text}\n`);

/** The CSV's row for id number `i`; `edit` changes the fields. */
function row(i, edit = 0) {
  return `${BASE_ID + i},${20 + ((i + edit) % 60)},${(i + edit) % 2 ? "F" : "M"},19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10},${(i + edit * 3) % 5}`;
}

function writeCsv(path, ids, edited) {
  const lines = ["user_id,age,gender,birthday,vipLevel"];
  for (const i of ids) lines.push(row(i, edited.has(i) ? 7 : 0));
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** Runs the CLI; resolves `{ code, stdout, stderr, ms, rssMB, cpuS }` (cpuS: user + system, from time(1) only). */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, ...PROFILE, CLI, ...args];
    const child = TIME ? spawn(TIME, ["-v", ...argv], { env }) : spawn(argv[0], argv.slice(1), { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let hwmKB = 0;
    const poll = TIME
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
            if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
          } catch {
            // the child has exited
          }
        }, 20);
    const start = performance.now();
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - start;
      if (poll) clearInterval(poll);
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (m) hwmKB = Number(m[1]);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      const cpuS = user && sys ? Number(user[1]) + Number(sys[1]) : null;
      resolve({ code, stdout, stderr, ms, rssMB: hwmKB / 1024, cpuS });
    });
  });
}

const server = await startKakaoEmulatorServer();
const emu = server.emulator;
emu.addChannel(CH);
log(`${ROWS.toLocaleString("en-US")} users who added the channel`);
for (let i = 0; i < ROWS + ROWS / 100; i++) emu.setRelation(BASE_ID + i, CH, "ADDED");
const restApiKey = emu.restApiKey;
const client = await import("../pkg/node.js").then((m) => new m.TalkChannelClient({ restApiKey, baseUrl: server.url }));
const { fileId } = await client.registerCustomerFile({
  channelPublicId: CH,
  fileName: "scale",
  schema: { age: "number", gender: "string", birthday: "string", vipLevel: "number" },
});
const dir = mkdtempSync(join(tmpdir(), "ktc-sync-scale-"));
const csv = join(dir, "customers.csv");
const env = { ...process.env, KAKAO_REST_API_KEY: restApiKey, KAKAO_BASE_URL: server.url };
const args = ["sync", "--csv", csv, "--channel", CH, "--file-id", String(fileId), "--id-column", "user_id", "--no-progress"];
const ADD = "/v1/talkchannel/update/target_users";
const DELETE = "/v1/talkchannel/delete/target_users";
const sentIds = (mark, path) =>
  emu.requests.slice(mark).filter((r) => r.path === path).reduce((n, r) => n + (path === ADD ? JSON.parse(r.body).users.length : JSON.parse(r.body).user_ids.length), 0);

function check(ok, message) {
  if (!ok) {
    log(`FAILED: ${message}`);
    process.exitCode = 1;
  }
  return ok;
}

const results = [];
const load = () => loadavg()[0].toFixed(1);
const loadBefore = load();
try {
  // 1. From scratch.
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  writeCsv(csv, ids, new Set());
  log(`CSV written (${(readFileSync(csv).length / 1e6).toFixed(1)} MB); run 1: from scratch`);
  let mark = emu.requests.length;
  const first = await runCli(args, env);
  check(first.code === 0, `run 1 exited ${first.code}: ${first.stderr}`);
  check(emu.customerFile(fileId).users.size === ROWS, `run 1: the file holds ${emu.customerFile(fileId).users.size} users`);
  results.push({ name: "from scratch", ...first, adds: sentIds(mark, ADD), deletes: sentIds(mark, DELETE), targetS: TARGETS.scratchS });
  emu.requests.length = 0; // the emulator's request log holds every body; not needed any more

  // 2. 1% changed: 0.8% edited, 0.1% removed, 0.1% new.
  const step = 100;
  const edited = new Set();
  const removed = new Set();
  for (let i = 0; i < ROWS; i += step) {
    if ((i / step) % 10 === 0) removed.add(i);
    else if ((i / step) % 10 !== 1) edited.add(i);
  }
  const added = Array.from({ length: ROWS / step / 10 }, (_, k) => ROWS + k);
  writeCsv(csv, [...ids.filter((i) => !removed.has(i)), ...added], edited);
  log(`run 2: ${edited.size} edited, ${removed.size} removed, ${added.length} new`);
  mark = emu.requests.length;
  const second = await runCli(args, env);
  check(second.code === 0, `run 2 exited ${second.code}: ${second.stderr}`);
  const adds = sentIds(mark, ADD);
  const deletes = sentIds(mark, DELETE);
  check(adds === edited.size + added.length && deletes === removed.size, `run 2 sent ${adds} adds and ${deletes} deletes`);
  const file = emu.customerFile(fileId).users;
  check(file.size === ROWS, `run 2: the file holds ${file.size} users`);
  const probe = [...edited][0];
  check(file.get(`app:${BASE_ID + probe}`)?.연령 === 20 + ((probe + 7) % 60), "run 2: an edited row is not in the file");
  check(!file.has(`app:${BASE_ID + [...removed][0]}`), "run 2: a removed row is still in the file");
  results.push({ name: "re-sync, 1% changed", ...second, adds, deletes, targetS: TARGETS.resyncS });
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

const met = (ok) => (ok ? "met" : "**missed**");
const cpu = cpus();
const out = [
  "## Sync at 1,000,000 rows",
  "",
  `\`node bench/sync-scale.mjs\`${ROWS === 1_000_000 ? "" : ` --rows ${ROWS}`}: \`kakao-talk-channel sync\` as a child process against the emulator over`,
  "loopback (served by the bench process, which shares the machine), a CSV of `user_id,age,gender,birthday,vipLevel`;",
  `peak RSS of the CLI process ${TIME ? "and its CPU time (user + system) from `/usr/bin/time -v`" : "from VmHWM in /proc/<pid>/status"}.`,
  `Machine: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}; ` +
    `1-minute load average ${loadBefore} before, ${load()} after (other work on the machine slows the wall times).`,
  "",
  `| run | rows in CSV | users added / deleted | wall time | target | CLI CPU time | peak RSS (target ≤ ${TARGETS.rssMB} MB) |`,
  "|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.name} | ${ROWS.toLocaleString("en-US")} | ${r.adds.toLocaleString("en-US")} / ${r.deletes.toLocaleString("en-US")} | ` +
      `${(r.ms / 1000).toFixed(1)} s | ≤ ${r.targetS} s: ${met(r.ms / 1000 <= r.targetS)} | ${r.cpuS === null ? "?" : `${r.cpuS.toFixed(1)} s`} | ` +
      `${r.rssMB.toFixed(0)} MB: ${met(r.rssMB <= TARGETS.rssMB)} |`,
  ),
  "",
];
process.stdout.write(`${out.join("\n")}\n`);

// `kakao-talk-channel sync` across runs (pkg/cli.mjs as child processes against the emulator over
// loopback): two runs on one state (the lock: a live holder refused, a dead one's lock taken
// over, another host's refused unless --force-unlock), the state kept per file whatever the
// CSV is called, a full disk mid-run (a small tmpfs as the state directory) and a read-only CSV
// directory, a repeated flag, a state file of a newer version, SIGTERM.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TalkChannelClient } from "../pkg/node.js";
import { startKakaoEmulatorServer } from "../pkg/testing/index.js";

const CLI = fileURLToPath(new URL("../pkg/cli.mjs", import.meta.url));
const CH = "_ZeUTxl";
const ADD = "/v1/talkchannel/update/target_users";
const DELETE = "/v1/talkchannel/delete/target_users";
const BASE_ID = 5_000_000_000;

let server;
let emu;
let client;
let dir;
let files = 0;

before(async () => {
  server = await startKakaoEmulatorServer();
  emu = server.emulator;
  emu.addChannel(CH);
  for (let i = 0; i < 20_000; i++) emu.setRelation(BASE_ID + i, CH, "ADDED");
  client = new TalkChannelClient({ restApiKey: emu.restApiKey, baseUrl: server.url });
  dir = mkdtempSync(join(tmpdir(), "ktc-sync-runs-"));
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newFile() {
  files += 1;
  return (await client.registerCustomerFile({ channelPublicId: CH, fileName: `runs-${files}`, schema: { age: "number" } })).fileId;
}

const env = () => ({ ...process.env, KAKAO_REST_API_KEY: emu.restApiKey, KAKAO_BASE_URL: server.url });

function cli(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: env(), cwd: dir, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** The CLI as a child process whose exit and stderr can be awaited while the test acts. */
function start(args) {
  const child = spawn(process.execPath, [CLI, ...args], { env: env(), cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const syncArgs = (csv, fileId, ...rest) => ["sync", "--csv", csv, "--channel", CH, "--file-id", String(fileId), "--id-column", "user_id", ...rest];

function rowsFor(from, count) {
  const rows = new Map();
  for (let i = from; i < from + count; i++) rows.set(String(BASE_ID + i), 20 + (i % 60));
  return rows;
}

function writeCsv(path, rows) {
  writeFileSync(path, `user_id,age\n${[...rows].map(([id, age]) => `${id},${age}`).join("\n")}\n`);
  return path;
}

function assertFileEquals(fileId, rows) {
  const got = emu.customerFile(fileId).users;
  assert.equal(got.size, rows.size);
  for (const [id, age] of rows) assert.deepEqual(got.get(`app:${id}`), { 연령: age }, id);
}

function sent(mark, path) {
  const calls = emu.requests.slice(mark).filter((r) => r.path === path);
  const ids = calls.flatMap((r) => {
    const body = JSON.parse(r.body);
    return path === ADD ? body.users.map((u) => u.id) : body.user_ids;
  });
  return { calls: calls.length, ids };
}

const stateIn = (stateDir, fileId) => join(stateDir, `${CH}-${fileId}-app.state`);

async function until(check, what) {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pid that no process has: a child that exited (and was reaped). */
async function deadPid() {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  assert.throws(() => process.kill(child.pid, 0), { code: "ESRCH" });
  return child.pid;
}

describe("sync: one run at a time per state (the lock)", () => {
  test("a second run while the first sends: exit 2 naming the holder, nothing sent by it; the first ends with the file equal to the CSV", async () => {
    const id = await newFile();
    const want = rowsFor(0, 5_000);
    const csv = writeCsv(join(dir, "race.csv"), want);
    emu.faults.add({ path: ADD, times: 1, delayMs: 1_500 });
    const mark = emu.requests.length;
    const first = start(syncArgs(csv, id, "--concurrency", "1", "--no-progress"));
    await until(() => sent(mark, ADD).calls >= 1, "the first run's first add");
    const lock = `${stateIn(join(dir, ".kakao-sync"), id)}.lock`;
    const holder = JSON.parse(readFileSync(lock, "utf8"));
    assert.deepEqual([holder.pid, holder.host], [first.child.pid, hostname()]);

    // The same CSV exported again under another name: the same file, so the same state and lock.
    const second = await cli(syncArgs(writeCsv(join(dir, "race-copy.csv"), want), id));
    assert.equal(second.code, 2, second.stderr);
    assert.equal(
      second.stderr,
      `kakao-talk-channel: another sync holds ${lock}: pid ${first.child.pid} on ${hostname()}, started ${holder.startedAt}, still running; nothing was sent. ` +
        "Wait for it to finish (two runs at once would each miss what the other sent)\n",
    );
    const r = await first.done;
    emu.faults.clear();
    assert.equal(r.code, 0, r.stderr);
    const adds = sent(mark, ADD);
    assert.deepEqual([adds.calls, adds.ids.length, new Set(adds.ids).size], [3, 5_000, 5_000], "only the first run sent");
    assertFileEquals(id, want);
    assert.equal(existsSync(lock), false, "the lock is released");

    // 50 rows leave the CSV: the next run deletes exactly them.
    const gone = [...want.keys()].slice(0, 50);
    for (const g of gone) want.delete(g);
    writeCsv(csv, want);
    const again = emu.requests.length;
    const r2 = await cli(syncArgs(csv, id));
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(sent(again, DELETE).ids, gone);
    assertFileEquals(id, want);
  });

  test("a lock left by a dead process is taken over; another host's is refused unless --force-unlock; a torn lock is refused while fresh", async () => {
    const id = await newFile();
    const want = rowsFor(0, 30);
    const csv = writeCsv(join(dir, "stale.csv"), want);
    const stateDir = join(dir, ".kakao-sync");
    mkdirSync(stateDir, { recursive: true });
    const lock = `${stateIn(stateDir, id)}.lock`;
    const pid = await deadPid();
    writeFileSync(lock, JSON.stringify({ pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }));
    let r = await cli(syncArgs(csv, id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`took over the lock of pid ${pid} on ${hostname()}, started 2026-01-01T00:00:00\\.000Z, which is no longer running\\n`));
    assertFileEquals(id, want);
    assert.equal(existsSync(lock), false);
    assert.equal(existsSync(`${lock}.takeover`), false);

    const remote = JSON.stringify({ pid: process.pid, host: "build-7.example", startedAt: "2026-01-01T00:00:00.000Z" });
    writeFileSync(lock, remote);
    const mark = emu.requests.length;
    r = await cli(syncArgs(csv, id));
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `kakao-talk-channel: another sync holds ${lock}: pid ${process.pid} on build-7.example, started 2026-01-01T00:00:00.000Z ` +
        "(another host: whether it still runs cannot be checked from here); nothing was sent. If that run is gone, re-run with --force-unlock\n",
    );
    assert.equal(readFileSync(lock, "utf8"), remote, "a refused lock is left as it was");
    assert.deepEqual(emu.requests.slice(mark), []);
    r = await cli(syncArgs(csv, id, "--force-unlock"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /took over the lock of pid \d+ on build-7\.example, .*forced \(--force-unlock\)/);
    assert.equal(existsSync(lock), false);

    // An empty lock is one being written right now: refused.
    writeFileSync(lock, "");
    r = await cli(syncArgs(csv, id));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /another sync holds .*\.lock: a run that is starting right now, still running/);
    rmSync(lock);
  });

  test("SIGTERM: exit 143 after the batch in flight is journaled, lock released; before sending, it quits at once and releases the lock too", async () => {
    const id = await newFile();
    const want = rowsFor(0, 5_000);
    const csv = writeCsv(join(dir, "term.csv"), want);
    const lock = `${stateIn(join(dir, ".kakao-sync"), id)}.lock`;
    emu.faults.add({ path: ADD, after: 1, times: 1, delayMs: 1_000 });
    const mark = emu.requests.length;
    const run = start(syncArgs(csv, id, "--concurrency", "1"));
    await until(() => sent(mark, ADD).calls >= 2, "the second add");
    run.child.kill("SIGTERM");
    const r = await run.done;
    emu.faults.clear();
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /SIGTERM: finishing the batches in flight, then stopping/);
    assert.match(r.stderr, /interrupted: 2 of 3 add batches and 0 of 0 delete batches confirmed/);
    assert.equal(existsSync(lock), false);

    // Stopped while the listing hangs (before any batch): at once, with 143, the lock gone.
    emu.faults.add({ path: "/v1/talkchannel/target_user_file", times: 1, delayMs: 2_000 });
    const list = emu.requests.length;
    const early = start(syncArgs(csv, id));
    await until(() => emu.requests.length > list && existsSync(lock), "the listing");
    early.child.kill("SIGTERM");
    const e = await early.done;
    emu.faults.clear();
    assert.equal(e.code, 143, e.stderr);
    assert.equal(existsSync(lock), false);
    const resume = await cli(syncArgs(csv, id));
    assert.equal(resume.code, 0, resume.stderr);
    assertFileEquals(id, want);
  });
});

describe("sync: the state belongs to the file, not to the CSV's name", () => {
  test("customers-2024-06-01.csv, then customers-2024-06-02.csv without 50 rows: the 50 are deleted", async () => {
    const id = await newFile();
    const want = rowsFor(0, 600);
    let r = await cli(syncArgs(writeCsv(join(dir, "customers-2024-06-01.csv"), want), id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no state of file \d+ \(_ZeUTxl, app ids\) at .*: every row is added and no user is deleted \(right for a first sync/);
    const gone = [...want.keys()].slice(100, 150);
    for (const g of gone) want.delete(g);
    const mark = emu.requests.length;
    r = await cli(syncArgs(writeCsv(join(dir, "customers-2024-06-02.csv"), want), id));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /no state/);
    assert.deepEqual([sent(mark, DELETE).ids, sent(mark, ADD).calls], [gone, 0]);
    assert.match(r.stdout, /unchanged: 550\n/);
    assertFileEquals(id, want);
    assert.match(r.stdout, new RegExp(`state: +${stateIn(join(dir, ".kakao-sync"), id).replace(/[.]/g, "\\.")}\\n`));

    // --state-dir elsewhere: the CSV may move to another directory.
    const elsewhere = join(dir, "moved");
    mkdirSync(elsewhere);
    const states = join(dir, "states");
    r = await cli(syncArgs(writeCsv(join(elsewhere, "a.csv"), want), id, "--state-dir", states));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(stateIn(states, id)));
  });

  test("an earlier version's <csv>.kakao-sync.json (state format 2) and its journal are moved into the state directory and resumed", async () => {
    const id = await newFile();
    const want = rowsFor(0, 4_000);
    const csv = writeCsv(join(dir, "legacy.csv"), want);
    // Sync with the old layout (--state at the old default), stopped by a failed second batch.
    emu.faults.add({ path: ADD, after: 1, times: 3, status: 503, body: { msg: "system error", code: -9798 }, headers: { "retry-after": "0" } });
    let r = await cli(syncArgs(csv, id, "--concurrency", "1", "--state", `${csv}.kakao-sync.json`));
    emu.faults.clear();
    assert.equal(r.code, 3, r.stderr);
    assert.ok(existsSync(`${csv}.kakao-sync.json.journal`));
    const mark = emu.requests.length;
    r = await cli(syncArgs(csv, id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /moved the state of an earlier version, .*legacy\.csv\.kakao-sync\.json\.journal, to /);
    assert.match(r.stdout, /resuming: 1 confirmed batches from the journal/);
    assert.deepEqual(sent(mark, ADD).ids, [...want.keys()].slice(2_000));
    assertFileEquals(id, want);
    assert.equal(existsSync(`${csv}.kakao-sync.json.journal`), false);
    assert.ok(existsSync(stateIn(join(dir, ".kakao-sync"), id)));
  });
});

/** Mounts a tmpfs of `size` at `path` (root only); false when this machine cannot. */
function mountTmpfs(path, options) {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const canMount = (() => {
  if (process.platform !== "linux") return false;
  const probe = mkdtempSync(join(tmpdir(), "ktc-mount-probe-"));
  const ok = mountTmpfs(probe, "size=64k");
  if (ok) execFileSync("umount", [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

describe("sync: writes that fail", { skip: !canMount && "needs mount -t tmpfs (root on Linux)" }, () => {
  test("the journal fills the disk mid-run: no new batch starts, exit 4 saying what was sent; with space again the next run reconciles", async () => {
    const id = await newFile();
    const want = rowsFor(0, 20_000);
    const csv = writeCsv(join(dir, "full.csv"), want);
    const states = join(dir, "full-states");
    // 100 pages: the journal's header and its 260 KB `sending` line fit, then two 64 KB batch lines.
    assert.ok(mountTmpfs(states, "size=400k"));
    try {
      const mark = emu.requests.length;
      const r = await cli(syncArgs(csv, id, "--concurrency", "1", "--state-dir", states, "--no-progress"));
      assert.equal(r.code, 4, r.stderr);
      const adds = sent(mark, ADD);
      assert.ok(adds.calls >= 3 && adds.calls <= 4, `${adds.calls} of 10 batches sent`);
      const m = /cannot write (.+\.journal): ENOSPC: stopped, no new batch was started; (\d+) of 10 add batches and 0 of 0 delete batches confirmed by Kakao, (\d+) of them not recorded in \1\./.exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.equal(Number(m[2]), adds.calls);
      assert.equal(Number(m[3]), adds.calls - 2);
      assert.match(r.stderr, /re-run the same command: it reconciles/);
      assert.equal(existsSync(`${stateIn(states, id)}.lock`), false, "the lock is released");

      execFileSync("mount", ["-o", "remount,size=8m", states]);
      const again = emu.requests.length;
      const r2 = await cli(syncArgs(csv, id, "--state-dir", states));
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stdout, /resuming: 2 confirmed batches from the journal/);
      assert.equal(sent(again, ADD).ids.length, 16_000);
      assertFileEquals(id, want);
    } finally {
      execFileSync("umount", [states]);
    }
  });

  test("every batch journaled, then the state file does not fit: exit 4; the next run sends nothing again", async () => {
    const id = await newFile();
    const want = rowsFor(0, 20_000);
    const csv = writeCsv(join(dir, "full-state.csv"), want);
    const states = join(dir, "full-state-states");
    // 240 pages: the whole journal (about 900 KB) fits, the 560 KB state beside it does not.
    assert.ok(mountTmpfs(states, "size=960k"));
    try {
      const r = await cli(syncArgs(csv, id, "--state-dir", states, "--no-progress"));
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /cannot write .*\.state: ENOSPC: every batch was sent \(10 of 10 add batches and 0 of 0 delete batches confirmed\) and is recorded in .*\.journal\. .*re-run the same command: it completes from the journal/);
      execFileSync("mount", ["-o", "remount,size=8m", states]);
      const again = emu.requests.length;
      const r2 = await cli(syncArgs(csv, id, "--state-dir", states));
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual([sent(again, ADD).calls, sent(again, DELETE).calls], [0, 0]);
      assertFileEquals(id, want);
    } finally {
      execFileSync("umount", [states]);
    }
  });

  test("a read-only CSV directory holding an old rejects file: exit 2 with one line (also for the state directory)", async () => {
    const id = await newFile();
    const ro = join(dir, "readonly");
    assert.ok(mountTmpfs(ro, "size=1m"));
    try {
      const csv = writeCsv(join(ro, "c.csv"), rowsFor(0, 5));
      writeFileSync(`${csv}.rejects.csv`, "line,column,rule,message\n");
      chmodSync(ro, 0o555);
      execFileSync("mount", ["-o", "remount,ro", ro]);
      let r = await cli(syncArgs(csv, id, "--state-dir", join(dir, "ro-states")));
      assert.deepEqual(
        [r.code, r.stderr],
        [2, `kakao-talk-channel: cannot remove the rejects file of an earlier run, ${csv}.rejects.csv: EROFS (pass --rejects FILE, a path this run can write)\n`],
      );
      r = await cli(syncArgs(csv, id));
      assert.deepEqual(
        [r.code, r.stderr],
        [2, `kakao-talk-channel: cannot create the state directory ${join(ro, ".kakao-sync")}: EROFS (pass --state-dir DIR, a directory this run can write)\n`],
      );
    } finally {
      execFileSync("umount", [ro]);
    }
  });
});

describe("sync: the command line across versions", () => {
  test("a flag given twice is refused (exit 2), not the last one silently kept", async () => {
    const r = await cli(["sync", "--csv", "a.csv", "--csv", "b.csv", "--channel", CH, "--file-id", "1"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, "", "kakao-talk-channel: --csv is given more than once; give it once\n"]);
    const r2 = await cli(["sync", "--csv", "a.csv", "--channel", CH, "--file-id", "1", "--dry-run", "--dry-run"]);
    assert.deepEqual([r2.code, r2.stderr], [2, "kakao-talk-channel: --dry-run is given more than once; give it once\n"]);
  });

  test("a state file of a newer format says so and names the version that wrote it", async () => {
    const id = await newFile();
    const csv = writeCsv(join(dir, "newer.csv"), rowsFor(0, 3));
    const state = join(dir, "newer.state");
    writeFileSync(state, `${JSON.stringify({ version: 3, channel: CH, fileId: id, userType: "app", writer: "kakao-talk-channel 2.0.0", users: 0 })}\n`);
    const { version } = JSON.parse(readFileSync(new URL("../pkg/package.json", import.meta.url), "utf8"));
    const r = await cli(syncArgs(csv, id, "--state", state));
    assert.deepEqual(
      [r.code, r.stderr],
      [
        2,
        `kakao-talk-channel: ${state} was written by kakao-talk-channel 2.0.0 (state format 3); this is kakao-talk-channel ${version}, ` +
          "which reads formats 1 to 2: run the version that wrote it, or a later one\n",
      ],
    );
    // What this version writes names it, so that an older one can say the same.
    rmSync(state);
    assert.equal((await cli(syncArgs(csv, id, "--state", state))).code, 0);
    assert.equal(JSON.parse(readFileSync(state, "utf8").split("\n")[0]).writer, `kakao-talk-channel ${version}`);
  });
});

describe("files, and a CSV with another delimiter", () => {
  test("`files --channel`: every customer file with id, status, update time, name and keys; an unknown file id points to it", async () => {
    const id = await newFile();
    const r = await cli(["files", "--channel", CH]);
    assert.equal(r.code, 0, r.stderr);
    const [head, ...lines] = r.stdout.trimEnd().split("\n");
    assert.equal(head, "file_id\tstatus\tupdated_at\tname\tkeys");
    const listed = (await client.listCustomerFiles({ channelPublicId: CH })).files;
    assert.equal(lines.length, listed.length);
    const mine = lines.map((l) => l.split("\t")).find((cells) => cells[0] === String(id));
    assert.deepEqual(mine, [String(id), "using", listed.find((f) => f.fileId === id).updatedAt.toISOString(), `runs-${files}`, "연령"]);
    const usage = await cli(["files"]);
    assert.deepEqual([usage.code, usage.stderr], [2, "kakao-talk-channel: --channel is required; try --help\n"]);
    const twice = await cli(["files", "--channel", CH, "--channel", "_other"]);
    assert.deepEqual([twice.code, twice.stderr], [2, "kakao-talk-channel: --channel is given more than once; give it once\n"]);
    const wrong = await cli(syncArgs(writeCsv(join(dir, "wrong-id.csv"), rowsFor(0, 2)), 987_654));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, new RegExp(`has no customer file 987654; its files: .*\\(kakao-talk-channel files --channel ${CH} lists them\\)\\n$`));
  });

  test("a `;`- or tab-delimited CSV: exit 2 naming the delimiter, not a bad id on every row", async () => {
    const id = await newFile();
    const mark = emu.requests.length;
    for (const [d, name] of [
      [";", '";"'],
      ["\t", "a tab"],
    ]) {
      const csv = join(dir, `delim-${name.length}.csv`);
      writeFileSync(csv, `user_id${d}age\n${BASE_ID}${d}30\n`);
      const r = await cli(syncArgs(csv, id));
      assert.deepEqual(
        [r.code, r.stderr],
        [2, `kakao-talk-channel: the CSV header is one column, ${JSON.stringify(`user_id${d}age`)}: the delimiter looks like ${name}, not a comma; save the CSV comma-separated\n`],
      );
    }
    assert.deepEqual(emu.requests.slice(mark), []);
  });
});

describe("sync: the summary after a resume", () => {
  test("rows changed before an interrupted run are reported as changed (not new) by the run that resumes it", async () => {
    const id = await newFile();
    const want = rowsFor(0, 3_000);
    const csv = writeCsv(join(dir, "resume-count.csv"), want);
    assert.equal((await cli(syncArgs(csv, id))).code, 0);
    const ids = [...want.keys()];
    for (const k of ids.slice(0, 2_500)) want.set(k, 99);
    for (const [k, v] of rowsFor(3_000, 10)) want.set(k, v);
    writeCsv(csv, want);
    emu.faults.add({ path: ADD, after: 1, times: 3, status: 503, body: { msg: "system error", code: -9798 }, headers: { "retry-after": "0" } });
    let r = await cli(syncArgs(csv, id, "--concurrency", "1"));
    emu.faults.clear();
    assert.equal(r.code, 3, r.stderr);
    r = await cli(syncArgs(csv, id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /resuming: 1 confirmed batches from the journal/);
    assert.match(r.stdout, /\n {2}added: +510 \(10 new, 500 changed\) in 1 batch;/);
    assertFileEquals(id, want);
  });
});

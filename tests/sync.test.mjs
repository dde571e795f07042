// `kakao-talk-channel sync` (pkg/cli.mjs) as a child process against the emulator over loopback:
// a 12,345-row sync, a re-sync with exact adds and deletes, a run killed mid-way then resumed,
// a failed batch then resumed, rejected rows with line numbers, BOM/quotes/Korean headers,
// --dry-run, the setup errors; the mass-delete guard (--max-delete), torn journal lines, setup
// errors as exit 2 with one line (against a tiny server of its own for 401/403), old state
// files, repeated ids across check chunks, --version; a CSV over 1 MB whose adds are read back in
// slices as they are sent. No key in any output.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
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
  // Every id the tests use has added the channel, so the emulator's file holds them all.
  for (let i = 0; i < 13_000; i++) emu.setRelation(BASE_ID + i, CH, "ADDED");
  for (let i = 0; i < 500; i++) emu.setRelation(9_000_000_000 + i, CH, "ADDED");
  client = new TalkChannelClient({ restApiKey: emu.restApiKey, baseUrl: server.url });
  dir = mkdtempSync(join(tmpdir(), "ktc-sync-"));
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newFile(schema = { age: "number", gender: "string", birthday: "string", vipLevel: "number" }) {
  files += 1;
  return (await client.registerCustomerFile({ channelPublicId: CH, fileName: `sync-${files}`, schema })).fileId;
}

function env(extra = {}) {
  const e = { ...process.env, KAKAO_REST_API_KEY: emu.restApiKey, KAKAO_BASE_URL: server.url, ...extra };
  for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
  return e;
}

/** Runs the CLI; resolves `{ code, stdout, stderr }` (async: the emulator in this process keeps serving). */
function cli(args, opts = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [...(opts.nodeArgs ?? []), CLI, ...args], { env: env(opts.env), cwd: dir, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      for (const text of [stdout, stderr]) assert.ok(!text.includes(emu.restApiKey), "the key was printed");
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** A module to preload (`--import`): Date.now runs ten times as fast from the moment it loads. */
const FAST_CLOCK = `data:text/javascript,${encodeURIComponent("const now = Date.now; const t0 = now(); Date.now = () => t0 + (now() - t0) * 10;")}`;

const syncArgs = (csv, fileId, ...rest) => ["sync", "--csv", csv, "--channel", CH, "--file-id", String(fileId), "--id-column", "user_id", ...rest];

/** Rows: id → { age, gender, birthday, vipLevel }. */
function rowsFor(from, count) {
  const rows = new Map();
  for (let i = from; i < from + count; i++) {
    rows.set(String(BASE_ID + i), { age: 20 + (i % 60), gender: i % 2 ? "F" : "M", birthday: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`, vipLevel: i % 5 });
  }
  return rows;
}

function writeCsv(name, rows) {
  const lines = ["user_id,age,gender,birthday,vipLevel"];
  for (const [id, r] of rows) lines.push(`${id},${r.age},${r.gender},${r.birthday},${r.vipLevel}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** The emulator's file, exactly: `app:<id>` → fields with Kakao's Korean keys. */
function assertFileEquals(fileId, rows) {
  const got = emu.customerFile(fileId).users;
  assert.equal(got.size, rows.size);
  for (const [id, r] of rows) {
    assert.deepEqual(got.get(`app:${id}`), { 연령: r.age, 성별: r.gender, 생년월일: r.birthday, vipLevel: r.vipLevel }, id);
  }
}

/** Requests since `mark` to a path: `{ calls, ids }`. */
function sent(mark, path) {
  const calls = emu.requests.slice(mark).filter((r) => r.path === path);
  const ids = calls.flatMap((r) => {
    const body = JSON.parse(r.body);
    return path === ADD ? body.users.map((u) => u.id) : body.user_ids;
  });
  return { calls: calls.length, ids };
}

/** A state file (version 2): its JSON first line and `id → fingerprint` of the `<id>\t<fp>` lines. */
function readState(path) {
  const [first, ...lines] = readFileSync(path, "utf8").split("\n");
  assert.equal(lines.pop(), "", "the state file ends with a newline");
  return { head: JSON.parse(first), users: new Map(lines.map((l) => l.split("\t"))) };
}

/** Where the CLI keeps the state of a file of channel CH by default: `.kakao-sync/` next to the CSVs (all in `dir`). */
const stateOf = (fileId, userType = "app") => join(dir, ".kakao-sync", `${CH}-${fileId}-${userType}.state`);

const journalLines = (fileId) => {
  const p = `${stateOf(fileId)}.journal`;
  return existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean) : [];
};

describe("sync: progress while a large CSV is checked", () => {
  test("600,000 rows: `checking: …` lines on stderr once the check has run for a second, the last one N/N; a small CSV stays silent", async () => {
    const fileId = await newFile({ age: "number" });
    const big = ["user_id,age"];
    for (let i = 0; i < 600_000; i++) big.push(`${BASE_ID + i},${i % 90}`);
    writeFileSync(join(dir, "big.csv"), `${big.join("\n")}\n`);
    // The check of 600,000 rows takes a few hundred ms here, less than the second the progress
    // keeps quiet: the CLI runs with a clock ten times as fast (Date.now only, preloaded), so
    // its check runs for several seconds of that clock whatever the machine's speed.
    const r = await cli(syncArgs(join(dir, "big.csv"), fileId, "--dry-run", "--state-dir", join(dir, "big-state")), { nodeArgs: ["--import", FAST_CLOCK] });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("checking: "));
    assert.ok(lines.length >= 1, r.stderr);
    for (const l of lines) assert.match(l, /^checking: [\d,]+\/600,000 rows · [\d,]+ rows\/s · ETA (\d+s|\d+m\d{2}s)$/);
    assert.match(lines.at(-1), /^checking: 600,000\/600,000 rows/);
    // A small CSV is checked well within the second: no checking line.
    writeFileSync(join(dir, "small.csv"), `user_id,age\n${BASE_ID},30\n`);
    const small = await cli(syncArgs(join(dir, "small.csv"), fileId, "--dry-run", "--state-dir", join(dir, "big-state")));
    assert.equal(small.code, 0, small.stderr);
    assert.doesNotMatch(small.stderr, /checking:/);
  });
});

describe("sync: CSV → customer file", () => {
  let fileId;
  let csv;
  let rows;

  test("(a) 12,345 rows from scratch: the file equals the CSV, 7 batches of ≤ 2,000", async () => {
    fileId = await newFile();
    rows = rowsFor(0, 12_345);
    csv = writeCsv("customers.csv", rows);
    const mark = emu.requests.length;
    const r = await cli(syncArgs(csv, fileId));
    assert.equal(r.code, 0, r.stderr);
    const adds = sent(mark, ADD);
    assert.equal(adds.calls, 7);
    assert.equal(adds.ids.length, 12_345);
    assert.equal(new Set(adds.ids).size, 12_345);
    assert.equal(sent(mark, DELETE).calls, 0);
    assertFileEquals(fileId, rows);
    assert.match(r.stdout, /added: +12,345 \(12,345 new, 0 changed\) in 7 batches; Kakao counted 12,345/);
    assert.match(r.stderr, /progress: 12,345\/12,345 rows · [\d,]+ rows\/s · ETA 0s/);
    const state = readState(stateOf(fileId));
    assert.deepEqual([state.head.version, state.head.channel, state.head.fileId, state.head.userType, state.head.users], [2, CH, fileId, "app", 12_345]);
    assert.deepEqual([...state.users.keys()], [...rows.keys()]);
    for (const fp of state.users.values()) assert.match(fp, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(existsSync(`${stateOf(fileId)}.journal`), false);
  });

  test("(b) 100 edits, 50 removals, 70 additions: exactly 170 adds and 50 deletes, then nothing", async () => {
    const ids = [...rows.keys()];
    const edited = ids.slice(0, 100);
    const removed = ids.slice(5000, 5050);
    for (const id of edited) rows.set(id, { ...rows.get(id), age: 99, gender: "X" });
    for (const id of removed) rows.delete(id);
    const added = rowsFor(12_345, 70);
    for (const [id, r] of added) rows.set(id, r);
    writeCsv("customers.csv", rows);

    const mark = emu.requests.length;
    const r = await cli(syncArgs(csv, fileId));
    assert.equal(r.code, 0, r.stderr);
    const adds = sent(mark, ADD);
    const dels = sent(mark, DELETE);
    assert.deepEqual([adds.calls, adds.ids.length, dels.calls, dels.ids.length], [1, 170, 1, 50]);
    assert.deepEqual(new Set(adds.ids), new Set([...edited, ...added.keys()]));
    assert.deepEqual(new Set(dels.ids), new Set(removed));
    assertFileEquals(fileId, rows);
    assert.match(r.stdout, /added: +170 \(70 new, 100 changed\) in 1 batch;/);
    assert.match(r.stdout, /deleted: +50 in 1 batch\n/);
    assert.match(r.stdout, /unchanged: +12,195\n/);

    const again = emu.requests.length;
    const r2 = await cli(syncArgs(csv, fileId));
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual([sent(again, ADD).calls, sent(again, DELETE).calls], [0, 0]);
    assert.match(r2.stdout, /unchanged: +12,365\n/);
  });

  test("(c) killed mid-way, then resumed: no confirmed batch sent again, the file equals the CSV", async () => {
    const id = await newFile();
    const want = rowsFor(0, 12_345);
    const path = writeCsv("killed.csv", want);
    // The 4th add request hangs; the other 6 batches complete and are journaled.
    const fault = emu.faults.add({ path: ADD, after: 3, times: 1, delayMs: 120_000 });
    const mark = emu.requests.length;
    const child = spawn(process.execPath, [CLI, ...syncArgs(path, id, "--no-progress")], { env: env(), cwd: dir, stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 20_000;
    // The journal: header, the ids about to be sent, then the 6 confirmed batches.
    while (!(sent(mark, ADD).calls === 7 && journalLines(id).length === 8)) {
      assert.ok(Date.now() < deadline, `timed out: ${sent(mark, ADD).calls} adds, ${journalLines(id).length} journal lines`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    assert.deepEqual(await exited, { code: null, signal: "SIGKILL" });
    assert.equal(fault.hits, 1);
    const hung = emu.requests.slice(mark).filter((r) => r.path === ADD)[3];
    const hungIds = JSON.parse(hung.body).users.map((u) => u.id);
    assert.equal(emu.customerFile(id).users.size, 12_345 - hungIds.length);
    assert.equal(existsSync(stateOf(id)), false, "no state before a complete run");
    emu.faults.clear();

    const resume = emu.requests.length;
    const r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    const adds = sent(resume, ADD);
    assert.equal(adds.calls, 1);
    assert.deepEqual(adds.ids, hungIds);
    assertFileEquals(id, want);
    assert.match(r.stdout, /resuming: 6 confirmed batches from the journal/);
    assert.equal(journalLines(id).length, 0);
  });

  test("(c2) a batch failing after the SDK's retries: exit 3, journal kept; the re-run sends only the rest", async () => {
    const id = await newFile();
    const want = rowsFor(0, 5_000);
    const path = writeCsv("failing.csv", want);
    // Batch 2 of 3 fails on all 3 attempts (1 + maxRetries 2); with --concurrency 1 batch 3 is not started.
    emu.faults.add({ path: ADD, after: 1, times: 3, status: 503, body: { msg: "system error", code: -9798 }, headers: { "retry-after": "0" } });
    const mark = emu.requests.length;
    const r = await cli(syncArgs(path, id, "--concurrency", "1"));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /a batch of 2000 adds failed: .*system error/);
    assert.match(r.stderr, /stopped: 1 of 3 add batches and 0 of 0 delete batches confirmed; .*Re-run the same command to resume/);
    assert.equal(sent(mark, ADD).calls, 4);
    assert.equal(journalLines(id).length, 3);
    emu.faults.clear();

    const resume = emu.requests.length;
    const r2 = await cli(syncArgs(path, id));
    assert.equal(r2.code, 0, r2.stderr);
    const adds = sent(resume, ADD);
    assert.deepEqual([adds.calls, adds.ids.length], [2, 3_000]);
    assert.deepEqual(new Set(adds.ids), new Set([...want.keys()].slice(2000)));
    assertFileEquals(id, want);
  });

  test("SIGINT: the batch in flight settles and is journaled, no new batch starts; exit 130, then resume", async () => {
    const id = await newFile();
    const want = rowsFor(0, 5_000);
    const path = writeCsv("interrupted.csv", want);
    emu.faults.add({ path: ADD, after: 1, times: 1, delayMs: 1_000 });
    const mark = emu.requests.length;
    const child = spawn(process.execPath, [CLI, ...syncArgs(path, id, "--concurrency", "1")], { env: env(), cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    while (sent(mark, ADD).calls < 2) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGINT");
    assert.equal(await exited, 130);
    assert.match(stderr, /SIGINT: finishing the batches in flight, then stopping/);
    assert.match(stderr, /interrupted: 2 of 3 add batches and 0 of 0 delete batches confirmed; .*Re-run the same command to resume/);
    assert.equal(sent(mark, ADD).calls, 2);
    assert.equal(journalLines(id).length, 4);
    const resume = emu.requests.length;
    const r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([sent(resume, ADD).calls, sent(resume, ADD).ids.length], [1, 1_000]);
    assertFileEquals(id, want);
  });

  test("progress on a terminal: one bar redrawn with \\r, rows/s and ETA (under script(1))", { skip: !existsSync("/usr/bin/script") && "no script(1)" }, async () => {
    const id = await newFile();
    const path = writeCsv("tty.csv", rowsFor(0, 6_000));
    emu.faults.add({ path: ADD, times: 3, delayMs: 300 });
    const command = [process.execPath, CLI, ...syncArgs(path, id, "--concurrency", "1")].map((a) => `'${a}'`).join(" ");
    const out = await new Promise((resolve) => {
      execFile("/usr/bin/script", ["-qec", command, "/dev/null"], { env: env(), cwd: dir }, (err, stdout) => resolve({ code: err ? err.code : 0, stdout }));
    });
    assert.equal(out.code, 0, out.stdout);
    const frames = out.stdout.split("\r\x1b[K").slice(1).map((f) => f.split("\r\n")[0]);
    assert.ok(frames.length >= 3, JSON.stringify(out.stdout));
    for (const f of frames) assert.match(f, /^\[[#.]{30}\] [\d,]+\/6,000 rows · [\d,]+ rows\/s · ETA (\?|\d+s)$/);
    assert.match(frames.at(-1), /^\[#{30}\] 6,000\/6,000 rows · [\d,]+ rows\/s · ETA 0s$/);
    assert.ok(frames.some((f) => f.includes(" 2,000/6,000 rows")), frames.join("\n"));
    assert.match(out.stdout, /synced file \d+ /);
  });

  test("(d) bad rows: first errors with line numbers on stderr, every one in the rejects file, nothing sent", async () => {
    const id = await newFile();
    const text = [
      "user_id,age,gender,birthday,vipLevel",
      `${BASE_ID},30,F,1990-01-01,1`,
      `${BASE_ID + 1},thirty,"M`, // a quoted field over two lines: this row is line 3-4
      `",1990-01-02,2`,
      "",
      `abc,31,F,1990-01-03,3`,
      `${BASE_ID},32,M,1990-01-04,4`,
      `${BASE_ID + 2},33,F,1990-01-05,gold`,
      `${BASE_ID + 3},34,F`,
      `${BASE_ID + 4},35,M,1990-01-06,5`,
      "",
    ].join("\n");
    const path = join(dir, "bad.csv");
    writeFileSync(path, text);
    const mark = emu.requests.length;
    const r = await cli(syncArgs(path, id, "--rejects", "bad-rows.csv"));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      [
        "kakao-talk-channel: 5 of 7 rows rejected; nothing was sent. First errors:",
        '  bad.csv:3: age: the schema declares "number"; got a string [fields.type_mismatch]',
        '  bad.csv:6: user_id: must be a positive decimal integer, got "abc" [user_id.format]',
        "  bad.csv:7: user_id: is the same user as line 2; each id may appear once [users.duplicate_id]",
        '  bad.csv:8: vipLevel: the schema declares "number"; got a string [fields.type_mismatch]',
        "  bad.csv:9: has 3 cells; the header has 5 [csv.column_count]",
        `All rejected rows with reasons: ${join(dir, "bad-rows.csv")}`,
        "",
      ].join("\n"),
    );
    assert.equal(
      readFileSync(join(dir, "bad-rows.csv"), "utf8"),
      [
        "line,column,rule,message,user_id,age,gender,birthday,vipLevel",
        `3,age,fields.type_mismatch,"the schema declares ""number""; got a string",${BASE_ID + 1},thirty,"M\n",1990-01-02,2`,
        `6,user_id,user_id.format,"must be a positive decimal integer, got ""abc""",abc,31,F,1990-01-03,3`,
        `7,user_id,users.duplicate_id,is the same user as line 2; each id may appear once,${BASE_ID},32,M,1990-01-04,4`,
        `8,vipLevel,fields.type_mismatch,"the schema declares ""number""; got a string",${BASE_ID + 2},33,F,1990-01-05,gold`,
        `9,,csv.column_count,has 3 cells; the header has 5,${BASE_ID + 3},34,F`,
        "",
      ].join("\n"),
    );
    assert.deepEqual(emu.requests.slice(mark).map((q) => `${q.method} ${q.path}`), ["GET /v1/talkchannel/target_user_file"]);
    assert.equal(emu.customerFile(id).users.size, 0);
  });

  test("(e) BOM, quoted fields and Korean headers (schema keys in Korean or English)", async () => {
    const id = await newFile({ 생년월일: "string", 성별: "string", 연령: "number", vipLevel: "number", 지역: "string" });
    const path = join(dir, "korean.csv");
    writeFileSync(
      path,
      '\uFEFF"아이디","생년월일",성별,"연령",vipLevel,region\r\n' +
        `${BASE_ID + 1},"1990-01-01","여, ""VIP""",30,1,"서울\n강남"\r\n` +
        `"${BASE_ID + 2}",1991-02-02,남,31,2,부산\r\n` +
        `${BASE_ID + 3},,,,,\r\n`,
    );
    const r = await cli(["sync", "--csv", path, "--channel", CH, "--file-id", String(id), "--id-column", "아이디"]);
    assert.equal(r.code, 0, r.stderr);
    const users = Object.fromEntries(emu.customerFile(id).users);
    assert.deepEqual(users, {
      [`app:${BASE_ID + 1}`]: { 생년월일: "1990-01-01", 성별: '여, "VIP"', 연령: 30, vipLevel: 1, 지역: "서울\n강남" },
      [`app:${BASE_ID + 2}`]: { 생년월일: "1991-02-02", 성별: "남", 연령: 31, vipLevel: 2, 지역: "부산" },
      [`app:${BASE_ID + 3}`]: {},
    });
    // --columns picks and renames columns: only age (as 연령) is sent.
    const path2 = join(dir, "pick.csv");
    writeFileSync(path2, `id,Age Years,note\n${BASE_ID + 4},44,ignored\n`);
    const mark = emu.requests.length;
    const r2 = await cli(["sync", "--csv", path2, "--channel", CH, "--file-id", String(id), "--columns", "Age Years=age"]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(JSON.parse(emu.requests.slice(mark).find((q) => q.path === ADD).body).users[0].field.연령, 44);
  });

  test("(f) --dry-run prints the plan and sends nothing", async () => {
    const id = await newFile();
    const rows3 = rowsFor(20, 5);
    const path = writeCsv("dry.csv", rows3);
    assert.equal((await cli(syncArgs(path, id))).code, 0);
    const ids = [...rows3.keys()];
    rows3.set(ids[0], { ...rows3.get(ids[0]), age: 77 });
    rows3.delete(ids[1]);
    for (const [k, v] of rowsFor(40, 2)) rows3.set(k, v);
    writeCsv("dry.csv", rows3);
    const stateBefore = readFileSync(stateOf(id), "utf8");
    const mark = emu.requests.length;
    const r = await cli(syncArgs(path, id, "--dry-run"));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `dry run: file ${id} (sync-${files}) of ${CH}, app ids\n` +
        "  CSV rows:  6\n" +
        "  add:       3 (2 new, 1 changed) in 1 batch\n" +
        "  delete:    1 in 1 batch\n" +
        "  unchanged: 3\n" +
        "nothing was sent\n",
    );
    assert.deepEqual(emu.requests.slice(mark).map((q) => q.method), ["GET"]);
    assert.equal(readFileSync(stateOf(id), "utf8"), stateBefore);
    assert.equal(journalLines(id).length, 0);
  });

  test("setup errors exit 2 before sending: no key, unknown file, unknown column, another file's state", async () => {
    const id = await newFile();
    const path = writeCsv("setup.csv", rowsFor(0, 3));
    const mark = emu.requests.length;
    let r = await cli(syncArgs(path, id), { env: { KAKAO_REST_API_KEY: undefined } });
    assert.deepEqual([r.code, r.stderr], [2, "kakao-talk-channel: KAKAO_REST_API_KEY is not set (the REST API key is read from the environment only)\n"]);
    r = await cli(syncArgs(path, 999));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /channel _ZeUTxl has no customer file 999; its files: /);
    r = await cli(syncArgs(path, id, "--columns", "age,shoe_size"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no column "shoe_size" in the CSV header/);
    const other = await newFile({ age: "number" });
    r = await cli(syncArgs(path, other));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /column "gender": "성별" is not in the file's schema \[fields.unknown_key\]/);
    assert.equal((await cli(syncArgs(path, id))).code, 0);
    // The state is kept per file, so only a state named with --state can be another file's.
    r = await cli(syncArgs(path, other, "--columns", "age", "--state", stateOf(id)));
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`state file .* belongs to file ${id} of channel _ZeUTxl \\(app ids\\), not file ${other}`));
    r = await cli(syncArgs(path, id, "--state", join(dir, "nowhere", "state.json")));
    assert.deepEqual([r.code, r.stderr], [2, `kakao-talk-channel: the directory of ${join(dir, "nowhere", "state.json")} does not exist\n`]);
    r = await cli(["sync", "--csv", path]);
    assert.deepEqual([r.code, r.stderr], [2, "kakao-talk-channel: --channel is required; try --help\n"]);
    r = await cli(["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: kakao-talk-channel sync --csv FILE --channel ID --file-id N/);
    assert.equal(emu.requests.slice(mark).filter((q) => q.method === "POST" && q.path !== "/v1/talkchannel/create/target_user_file").length, 1);
  });
});

const post = (mark) => emu.requests.slice(mark).filter((q) => q.method === "POST");
/** One line on stderr, no stack trace. */
const oneLine = (r) => assert.match(r.stderr, /^kakao-talk-channel: [^\n]+\n$/, r.stderr);

describe("sync: the mass-delete guard (--max-delete)", () => {
  let fileId;
  let rows;
  let path;
  const header = "user_id,age,gender,birthday,vipLevel\n";

  test("a header-only CSV after a synced file: refused (exit 2, count and ids), nothing sent; --dry-run says so too", async () => {
    fileId = await newFile();
    rows = rowsFor(0, 10_020);
    path = writeCsv("guarded.csv", rows);
    assert.equal((await cli(syncArgs(path, fileId))).code, 0);
    const state = readFileSync(stateOf(fileId), "utf8");
    writeFileSync(path, header);
    const mark = emu.requests.length;
    const r = await cli(syncArgs(path, fileId));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    const ids = [...rows.keys()].slice(0, 10).join(", ");
    assert.equal(
      r.stderr,
      `kakao-talk-channel: refusing to delete 10,020 of the 10,020 users known to be in file ${fileId} (100.0%): more than the 1,002 allowed ` +
        `(by default 10% of the 10,020 users known to be in the file, or 10); nothing was sent. Ids: ${ids}, … and 10,010 more. ` +
        "If the CSV is right, re-run with --max-delete 10020 (or a percentage, e.g. --max-delete 100%).\n",
    );
    assert.deepEqual(post(mark), []);
    assert.equal(readFileSync(stateOf(fileId), "utf8"), state);
    assert.equal(existsSync(`${stateOf(fileId)}.journal`), false);
    assert.equal(emu.customerFile(fileId).users.size, 10_020);

    const dry = await cli(syncArgs(path, fileId, "--dry-run"));
    assert.equal(dry.code, 2);
    assert.match(dry.stdout, /^dry run: .*\n {2}CSV rows: {2}0\n {2}add: {7}0 \(0 new, 0 changed\) in 0 batches\n {2}delete: {4}10,020 in 6 batches\n {2}unchanged: 0\nnothing was sent\n$/);
    assert.match(dry.stderr, /^kakao-talk-channel: a real run would refuse: refusing to delete 10,020 of the 10,020 users .*--max-delete 10020/);
    assert.deepEqual(post(mark), []);
  });

  test("the limit: 10% of the known users by default, a count or a percentage with --max-delete", async () => {
    const ids = [...rows.keys()];
    // 1,003 of 10,020 is one more than 10%: refused; --max-delete 1003 lets it through.
    const fewer = new Map([...rows].slice(1_003));
    writeCsv("guarded.csv", fewer);
    let mark = emu.requests.length;
    let r = await cli(syncArgs(path, fileId));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to delete 1,003 of the 10,020 users known to be in file \d+ \(10\.0%\): more than the 1,002 allowed/);
    assert.deepEqual(post(mark), []);
    r = await cli(syncArgs(path, fileId, "--max-delete", "5%"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /more than the 501 allowed \(--max-delete 5% of 10,020\)/);
    r = await cli(syncArgs(path, fileId, "--max-delete", "1003"));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(new Set(sent(mark, DELETE).ids), new Set(ids.slice(0, 1_003)));
    assertFileEquals(fileId, fewer);

    // Exactly 10% (901 of 9,017) passes by default; --max-delete 0 forbids any delete.
    const again = new Map([...fewer].slice(901));
    writeCsv("guarded.csv", again);
    r = await cli(syncArgs(path, fileId, "--max-delete", "0"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to delete 901 of the 9,017 users .*more than the 0 allowed \(--max-delete 0\)/);
    mark = emu.requests.length;
    r = await cli(syncArgs(path, fileId));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sent(mark, DELETE).ids.length, 901);

    // --max-delete 100%: the header-only CSV empties the file.
    writeFileSync(path, header);
    r = await cli(syncArgs(path, fileId, "--max-delete", "100%"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deleted: +8,116 in 5 batches\n/);
    assert.equal(emu.customerFile(fileId).users.size, 0);
  });

  test("small files: up to 10 deletes always pass; bad --max-delete values are usage errors", async () => {
    const id = await newFile();
    const small = writeCsv("small.csv", rowsFor(0, 10));
    assert.equal((await cli(syncArgs(small, id))).code, 0);
    writeFileSync(small, header);
    let r = await cli(syncArgs(small, id));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(emu.customerFile(id).users.size, 0);
    for (const bad of ["abc", "101%", "-1", "5 %", ""]) {
      r = await cli(syncArgs(small, id, `--max-delete=${bad}`));
      assert.deepEqual(
        [r.code, r.stderr],
        [2, `kakao-talk-channel: --max-delete must be a count (e.g. 500) or a percentage from 0% to 100% (e.g. 25%), got ${JSON.stringify(bad)}\n`],
      );
    }
  });
});

describe("sync: torn journal lines", () => {
  test("a torn last line, a resume that stops again, another torn line: every resume works, no confirmed batch is sent twice", async () => {
    const id = await newFile();
    const want = rowsFor(0, 10_000);
    const path = writeCsv("torn.csv", want);
    const journal = `${stateOf(id)}.journal`;
    const confirmed = () =>
      journalLines(id)
        .slice(1)
        .map((l) => JSON.parse(l))
        .flatMap((e) => (e.op === "add" ? e.ids : []));
    const fail503 = (after) =>
      emu.faults.add({ path: ADD, after, times: 3, status: 503, body: { msg: "system error", code: -9798 }, headers: { "retry-after": "0" } });

    // Run 1: batches 1-2 confirmed, batch 3 fails; then a crash tears the next line.
    fail503(2);
    let mark = emu.requests.length;
    let r = await cli(syncArgs(path, id, "--concurrency", "1"));
    assert.equal(r.code, 3, r.stderr);
    emu.faults.clear();
    assert.equal(journalLines(id).length, 4);
    let done = new Set(confirmed());
    assert.equal(done.size, 4_000);
    appendFileSync(journal, `{"op":"add","ids":["${BASE_ID + 4000}","${String(BASE_ID + 4001).slice(0, 6)}`);

    // Run 2 resumes, confirms one batch, fails the next: exit 3 again, the torn line cut off.
    fail503(1);
    mark = emu.requests.length;
    r = await cli(syncArgs(path, id, "--concurrency", "1"));
    assert.equal(r.code, 3, r.stderr);
    emu.faults.clear();
    assert.match(r.stderr, /-app\.state\.journal: skipping line 5, cut short by a crash while being written/);
    assert.ok(sent(mark, ADD).ids.every((x) => !done.has(x)), "a confirmed batch was sent again");
    const lines = journalLines(id);
    assert.equal(lines.length, 6, "header, sending, 2 batches, sending, 1 batch");
    for (const l of lines) JSON.parse(l);
    done = new Set(confirmed());
    assert.equal(done.size, 6_000);

    // A torn line in the middle (as older versions left one: torn, then more batches after it) and a torn tail.
    const [head, ...entries] = lines;
    const tornMiddle = '{"op":"delete","ids":["1';
    writeFileSync(journal, `${[head, entries[0], tornMiddle, ...entries.slice(1)].join("\n")}\n{"op":"ad`);
    mark = emu.requests.length;
    r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /skipping line 3, 8, cut short by a crash/);
    assert.match(r.stdout, /resuming: 3 confirmed batches from the journal/);
    const resent = sent(mark, ADD).ids;
    assert.equal(resent.length, 4_000);
    assert.ok(resent.every((x) => !done.has(x)), "a confirmed batch was sent again");
    assertFileEquals(id, want);
    assert.equal(existsSync(journal), false);
  });

  test("a complete last line without its newline counts as confirmed; the next entry starts a new line", async () => {
    const id = await newFile();
    const want = rowsFor(0, 4_000);
    const path = writeCsv("unended.csv", want);
    const journal = `${stateOf(id)}.journal`;
    emu.faults.add({ path: ADD, after: 1, times: 3, status: 503, body: { msg: "system error", code: -9798 }, headers: { "retry-after": "0" } });
    assert.equal((await cli(syncArgs(path, id, "--concurrency", "1"))).code, 3);
    emu.faults.clear();
    writeFileSync(journal, readFileSync(journal, "utf8").replace(/\n$/, ""));
    // Stop the resume before it finishes, to look at the journal it extended.
    emu.faults.add({ path: ADD, times: 3, status: 503, body: { msg: "system error", code: -9798 }, headers: { "retry-after": "0" } });
    const mark = emu.requests.length;
    const r = await cli(syncArgs(path, id));
    assert.equal(r.code, 3);
    emu.faults.clear();
    assert.equal(sent(mark, ADD).ids.length, 2_000 * 3, "only the unconfirmed batch is tried");
    assert.equal(readFileSync(journal, "utf8").split("\n").length, 5, "header, sending, one batch, sending, then the final newline");
    const r2 = await cli(syncArgs(path, id));
    assert.equal(r2.code, 0, r2.stderr);
    assertFileEquals(id, want);
  });
});

/** A tiny Kakao stand-in answering every request with `status` and `body` (for 401/403/503 on the listing). */
async function fakeKakao(status, body, headers = {}) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers });
    res.end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("sync: setup errors exit 2 with one line", () => {
  test("KAKAO_BASE_URL that is not an http(s) origin; a key with a trailing newline (refused, never trimmed)", async () => {
    const id = await newFile();
    const path = writeCsv("env.csv", rowsFor(0, 3));
    const mark = emu.requests.length;
    for (const [base, message] of [
      ["not a url", "KAKAO_BASE_URL is not a URL"],
      ["http://[::1", "KAKAO_BASE_URL is not a URL"],
      ["ftp://kapi.kakao.com", "KAKAO_BASE_URL: must start with https:// or http://"],
      [`${server.url}/v1?x=1`, "KAKAO_BASE_URL: must not contain a query (?) or fragment (#)"],
    ]) {
      const r = await cli(syncArgs(path, id), { env: { KAKAO_BASE_URL: base } });
      assert.deepEqual([r.code, r.stderr], [2, `kakao-talk-channel: ${message}\n`], base);
    }
    for (const key of [`${emu.restApiKey}\n`, `${emu.restApiKey}\r\n`, ` ${emu.restApiKey}`]) {
      const r = await cli(syncArgs(path, id), { env: { KAKAO_REST_API_KEY: key } });
      assert.equal(r.code, 2, JSON.stringify(key));
      oneLine(r);
      assert.match(r.stderr, /^kakao-talk-channel: KAKAO_REST_API_KEY: must be printable ASCII without spaces; it contains (a line feed \(LF\)|a carriage return \(CR\)|whitespace \(U\+0020\)) \(the key is used exactly as set, never trimmed/);
    }
    assert.deepEqual(emu.requests.slice(mark), []);
  });

  test("the first listing refused with 401 or 403: exit 2 (a re-run cannot cure it); a 503 after retries stays exit 3", async () => {
    const path = writeCsv("denied.csv", rowsFor(0, 3));
    for (const [status, body] of [
      [401, { msg: "this access token does not exist", code: -401 }],
      [403, { msg: "App disabled [talk_channel] scopes for [target_user_file] API on developers.kakao.com.", code: -3 }],
    ]) {
      const fake = await fakeKakao(status, body);
      try {
        const r = await cli(syncArgs(path, 437), { env: { KAKAO_BASE_URL: fake.url } });
        assert.equal(r.code, 2, r.stderr);
        oneLine(r);
        assert.match(r.stderr, new RegExp(`^kakao-talk-channel: listing the customer files of ${CH}: .*${body.msg.replace(/[[\]().]/g, "\\$&")}.*; check KAKAO_REST_API_KEY`));
        assert.deepEqual(fake.requests, [`GET /v1/talkchannel/target_user_file?channel_public_id=${CH}`]);
      } finally {
        await fake.close();
      }
    }
    const fake = await fakeKakao(503, { msg: "system error", code: -9798 }, { "retry-after": "0" });
    try {
      const r = await cli(syncArgs(path, 437), { env: { KAKAO_BASE_URL: fake.url } });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^kakao-talk-channel: listing the customer files failed: .*system error/);
      assert.equal(fake.requests.length, 3, "1 attempt + 2 retries");
    } finally {
      await fake.close();
    }
  });

  test("a damaged state file: exit 2 naming the problem (not exit 3 forever); moved away, the run works", async () => {
    const id = await newFile();
    const want = rowsFor(0, 20);
    const path = writeCsv("damaged.csv", want);
    const state = stateOf(id);
    assert.equal((await cli(syncArgs(path, id))).code, 0);
    const good = readFileSync(state, "utf8");
    const [first, ...rest] = good.split("\n");
    const v1 = (users) => JSON.stringify({ version: 1, channel: CH, fileId: id, userType: "app", users });
    const cases = [
      ["hello", new RegExp(`-${id}-app\\.state is damaged:`)],
      ["hello", /is damaged: its first line is not JSON \(.*\)\. Move it away to go on without it \(every row of the CSV is then sent again/],
      [[first, ...rest.slice(0, 5), ""].join("\n"), /is damaged: it lists 5 users; its first line says 20\. Move it away/],
      [[first, ...rest.slice(0, 19), "5000000019 no-tab", ""].join("\n"), /is damaged: line 21 is not "<id><TAB><fingerprint>"/],
      [good.slice(0, -10), /is damaged: line 21 is cut short/],
      [v1([]), /is damaged: "users" is not an object/],
      [v1({ [BASE_ID]: 5 }), /is damaged: the fingerprint of user "5000000000" is not a string/],
      [v1({ abc: "AAAAAAAAAAAAAAAA" }), /-app\.state \(with its journal\) is damaged: it lists "abc" as a user of the file: .*\[user_id\.format\]\. Move it away/],
      [JSON.stringify([1, 2]), new RegExp(`-${id}-app\\.state is not a kakao-talk-channel sync state file`)],
    ];
    const mark = emu.requests.length;
    for (const [text, message] of cases) {
      writeFileSync(state, text);
      const r = await cli(syncArgs(path, id));
      assert.equal(r.code, 2, `${text.slice(0, 80)}: ${r.stderr}`);
      oneLine(r);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(post(mark), []);
    rmSync(state);
    const r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assertFileEquals(id, want);
  });

  test("a header naming a column twice, two columns sent to one key, a CSV that is not UTF-8: exit 2", async () => {
    const id = await newFile();
    const mark = emu.requests.length;
    const at = (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    let r = await cli(syncArgs(at("twice.csv", `user_id,age,age\n${BASE_ID},30,31\n`), id));
    assert.deepEqual([r.code, r.stderr], [2, 'kakao-talk-channel: the CSV header names "age" twice (columns 2 and 3); each column needs its own name\n']);
    const two = at("twokeys.csv", `user_id,a,b\n${BASE_ID},30,31\n`);
    r = await cli(syncArgs(two, id, "--columns", "a=age,b=age"));
    assert.deepEqual([r.code, r.stderr], [2, 'kakao-talk-channel: --columns: "a" and "b" both go to the key "age"\n']);
    r = await cli(syncArgs(two, id, "--columns", "a=age,b=연령"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kakao-talk-channel: columns: 연령: .*\[fields\.duplicate_key\]\n$/);
    const latin1 = Buffer.concat([Buffer.from(`user_id,age,gender,birthday,vipLevel\n${BASE_ID},30,F,1990-01-01,1\n${BASE_ID + 1},31,`), Buffer.from([0xc9]), Buffer.from("t\xe9,1990-01-02,2\n", "latin1")]);
    r = await cli(syncArgs(at("latin1.csv", latin1), id));
    assert.deepEqual([r.code, r.stderr], [2, "kakao-talk-channel: latin1.csv:3: not valid UTF-8; save the CSV as UTF-8 (a BOM is fine)\n"]);
    r = await cli(syncArgs(at("utf16.csv", Buffer.from(`\uFEFFuser_id,age\n${BASE_ID},30\n`, "utf16le")), id));
    assert.deepEqual([r.code, r.stderr], [2, "kakao-talk-channel: utf16.csv:1: not valid UTF-8; save the CSV as UTF-8 (a BOM is fine)\n"]);
    assert.deepEqual(post(mark), []);
  });
});

describe("sync: files it cannot read or write", () => {
  test("a journal or rejects path that is a directory: exit 2 with one line, no temporary file left", async () => {
    const { mkdirSync, readdirSync } = await import("node:fs");
    const id = await newFile();
    const path = writeCsv("paths.csv", rowsFor(0, 3));
    const state = join(dir, "paths-state");
    mkdirSync(`${state}.journal`);
    let r = await cli(syncArgs(path, id, "--state", state));
    assert.deepEqual([r.code, r.stderr], [2, `kakao-talk-channel: cannot read the journal ${state}.journal: EISDIR\n`]);
    writeFileSync(path, `user_id,age,gender,birthday,vipLevel\n${BASE_ID},old,F,1990-01-01,1\n`);
    const rejects = join(dir, "rejects-dir");
    mkdirSync(rejects);
    r = await cli(syncArgs(path, id, "--rejects", rejects));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^kakao-talk-channel: cannot write ${rejects}: (EISDIR|ENOTDIR|EEXIST)\n$`));
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp-")), []);
  });
});

describe("sync: the command line", () => {
  test("--version prints the package's version; no command: usage on stderr, exit 2; --help: usage on stdout, exit 0", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../pkg/package.json", import.meta.url), "utf8"));
    assert.match(version, /^\d+\.\d+\.\d+/);
    let r = await cli(["--version"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${version}\n`, ""]);
    r = await cli([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^Usage: kakao-talk-channel sync --csv FILE --channel ID --file-id N \[options\]\n/);
    const help = await cli(["--help"]);
    assert.deepEqual([help.code, help.stdout, help.stderr], [0, r.stderr, ""]);
    assert.match(help.stdout, /--max-delete N\|P%/);
    r = await cli(["sync", "--help"]);
    assert.deepEqual([r.code, r.stdout], [0, help.stdout]);
  });
});

describe("sync: state files and repeated ids at scale", () => {
  test("a version 1 state file (one JSON document, as earlier versions wrote) still loads: nothing re-sent, then rewritten as version 2", async () => {
    const id = await newFile();
    const want = rowsFor(0, 2_500);
    const path = writeCsv("old-state.csv", want);
    const fp = (r) => createHash("sha256").update(JSON.stringify(Object.entries(r))).digest("base64url").slice(0, 16);
    // What earlier versions wrote after syncing these rows (the emulator's file gets them here directly).
    const users = Object.fromEntries([...want].map(([k, r]) => [k, fp(r)]));
    writeFileSync(`${path}.kakao-sync.json`, `${JSON.stringify({ version: 1, channel: CH, fileId: id, userType: "app", syncedAt: "2026-01-01T00:00:00.000Z", users })}\n`);
    const mark = emu.requests.length;
    let r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(post(mark), []);
    assert.match(r.stdout, /added: +0 \(0 new, 0 changed\) in 0 batches;.*\n {2}deleted: +0 in 0 batches\n {2}unchanged: 2,500\n/);
    // Moved from next to the CSV (where earlier versions kept it) into the state directory.
    assert.match(r.stderr, /moved the state of an earlier version, .*old-state\.csv\.kakao-sync\.json, to .*\.kakao-sync \(the state now lives there, whatever the CSV is called\)/);
    assert.equal(existsSync(`${path}.kakao-sync.json`), false);
    const state = readState(stateOf(id));
    assert.equal(state.head.version, 2);
    assert.deepEqual(Object.fromEntries(state.users), users);
    // One edited row and one removed: exactly those go.
    const [a, b] = [...want.keys()];
    want.set(a, { ...want.get(a), age: 61 });
    want.delete(b);
    writeCsv("old-state.csv", want);
    r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([sent(mark, ADD).ids, sent(mark, DELETE).ids], [[a], [b]]);
  });

  test("the same user twice, 10,000+ rows apart (in different check chunks), is rejected — also when the row is unchanged, also for phones", async () => {
    const id = await newFile();
    const rows = rowsFor(0, 12_000);
    const path = writeCsv("twice-far.csv", rows);
    const text = readFileSync(path, "utf8");
    writeFileSync(path, `${text}${BASE_ID + 1},30,F,1990-01-01,1\n${BASE_ID + 2},31,M,1990-01-01,2\n`);
    const mark = emu.requests.length;
    let r = await cli(syncArgs(path, id));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /2 of 12,002 rows rejected; nothing was sent/);
    assert.match(r.stderr, /twice-far\.csv:12002: user_id: is the same user as line 3; each id may appear once \[users\.duplicate_id\]/);
    assert.match(r.stderr, /twice-far\.csv:12003: user_id: is the same user as line 4; each id may appear once \[users\.duplicate_id\]/);
    assert.deepEqual(post(mark), []);
    // Synced, then a row repeated unchanged at the end: still rejected.
    writeFileSync(path, text);
    assert.equal((await cli(syncArgs(path, id))).code, 0);
    writeFileSync(path, `${text}${BASE_ID + 5},${rows.get(String(BASE_ID + 5)).age},${rows.get(String(BASE_ID + 5)).gender},${rows.get(String(BASE_ID + 5)).birthday},${rows.get(String(BASE_ID + 5)).vipLevel}\n`);
    r = await cli(syncArgs(path, id));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /twice-far\.csv:12002: user_id: is the same user as line 7;/);

    // A row the rules refuse for its age, and a later row with the same id: both are reported.
    const filler = readFileSync(writeCsv("filler.csv", rowsFor(100, 10_500)), "utf8").split("\n").slice(1).join("\n");
    writeFileSync(path, `user_id,age,gender,birthday,vipLevel\n${BASE_ID + 7},old,F,1990-01-01,1\n${filler}${BASE_ID + 7},40,F,1990-01-01,1\n`);
    r = await cli(syncArgs(path, id));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, / {2}twice-far\.csv:2: age: the schema declares "number"; got a string \[fields\.type_mismatch\]\n {2}twice-far\.csv:10503: user_id: is the same user as line 2;/);

    const phoneFile = await newFile({ age: "number" });
    const phones = ["phone,age", "010-1234-5678,30"];
    for (let i = 0; i < 10_500; i++) phones.push(`0105${String(i).padStart(7, "0")},${i % 90}`);
    phones.push("01012345678,31", "+82 10-1234-5678,32");
    const phonePath = join(dir, "phones.csv");
    writeFileSync(phonePath, `${phones.join("\n")}\n`);
    r = await cli(["sync", "--csv", phonePath, "--channel", CH, "--file-id", String(phoneFile), "--user-type", "phone"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^kakao-talk-channel: 1 of 10,503 rows rejected; nothing was sent\. First errors:\n {2}phones\.csv:10503: phone: is the same user as line 2; each id may appear once \[users\.duplicate_id\]\n/);
  });
});

describe("sync: batches in flight during a crash", () => {
  /** Runs the CLI until Kakao has received (and applied) the first request to `path`, then SIGKILLs it. */
  async function killAfterRequest(args, path) {
    const mark = emu.requests.length;
    const child = spawn(process.execPath, [CLI, ...args], { env: env(), cwd: dir, stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 20_000;
    while (sent(mark, path).calls < 1) {
      assert.ok(Date.now() < deadline, "timed out waiting for the request");
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
  }

  test("applied by Kakao but never confirmed, then the CSV edited back: the next run makes the file equal the CSV", async () => {
    const id = await newFile();
    const want = rowsFor(0, 3_000);
    const path = writeCsv("inflight.csv", want);
    assert.equal((await cli(syncArgs(path, id))).code, 0);

    // 100 rows removed; Kakao applies the delete but its answer never comes; the run is killed.
    const gone = [...want.keys()].slice(0, 100);
    writeCsv("inflight.csv", new Map([...want].slice(100)));
    emu.faults.add({ path: DELETE, times: 1, stall: true });
    await killAfterRequest(syncArgs(path, id, "--no-progress"), DELETE);
    emu.faults.clear();
    assert.equal(emu.customerFile(id).users.size, 2_900);
    // The removal was a mistake: the CSV is back as it was, and so must the file be.
    writeCsv("inflight.csv", want);
    let mark = emu.requests.length;
    let r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(new Set(sent(mark, ADD).ids), new Set(gone));
    assert.equal(sent(mark, DELETE).calls, 0);
    assertFileEquals(id, want);

    // 50 rows added; Kakao applies the add, no answer, killed; then the rows leave the CSV again.
    const extra = rowsFor(3_000, 50);
    writeCsv("inflight.csv", new Map([...want, ...extra]));
    emu.faults.add({ path: ADD, times: 1, stall: true });
    await killAfterRequest(syncArgs(path, id, "--no-progress"), ADD);
    emu.faults.clear();
    assert.equal(emu.customerFile(id).users.size, 3_050);
    writeCsv("inflight.csv", want);
    mark = emu.requests.length;
    r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(new Set(sent(mark, DELETE).ids), new Set(extra.keys()));
    assert.equal(sent(mark, ADD).calls, 0);
    assertFileEquals(id, want);
  });
});

describe("sync: the adds read again from the CSV as they are sent", () => {
  test("a CSV over 1 MB (read back in 1 MB slices): quoted commas, quotes, newlines and Korean across the slices, every user's fields exact", async () => {
    const id = await newFile({ 연령: "number", 지역: "string" });
    const path = join(dir, "big-quoted.csv");
    const expected = {};
    const lines = ["user_id,age,region"];
    for (let i = 0; i < 12_000; i++) {
      // About 120 bytes a row, so that slice boundaries fall inside quoted fields, multi-byte
      // characters and line ends alike.
      const region = `서울 ${i}, "강남"\n${"가".repeat(10 + (i % 31))}`;
      lines.push(`${BASE_ID + i},${20 + (i % 60)},"${region.replaceAll('"', '""')}"`);
      expected[`app:${BASE_ID + i}`] = { 연령: 20 + (i % 60), 지역: region };
    }
    writeFileSync(path, `${lines.join("\n")}\n`);
    assert.ok(readFileSync(path).length > 1.05 * (1 << 20), "the CSV spans more than one slice");
    const r = await cli(syncArgs(path, id));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.fromEntries(emu.customerFile(id).users), expected);
    // Every 7th row changed: only those are sent (adds scattered through the second pass), each
    // with its own fields.
    const changed = [];
    for (let i = 0; i < 12_000; i += 7) {
      const region = `부산 ${i}\n"새"`;
      lines[i + 1] = `${BASE_ID + i},${20 + (i % 60)},"${region.replaceAll('"', '""')}"`;
      expected[`app:${BASE_ID + i}`] = { 연령: 20 + (i % 60), 지역: region };
      changed.push(String(BASE_ID + i));
    }
    writeFileSync(path, `${lines.join("\n")}\n`);
    const mark = emu.requests.length;
    const r2 = await cli(syncArgs(path, id));
    assert.equal(r2.code, 0, r2.stderr);
    const sent = emu.requests.slice(mark).filter((q) => q.path === ADD).flatMap((q) => JSON.parse(q.body).users.map((u) => u.id));
    assert.deepEqual(sent.map(String), changed);
    assert.deepEqual(Object.fromEntries(emu.customerFile(id).users), expected);
  });

  test("CSVs the fast reader leaves to csv-parse: \"\\r\" line ends (more rows than lines), and a \"\\n\" alone halfway through a \"\\r\\n\" file", async () => {
    const rows = rowsFor(6000, 3000);
    const lines = [...rows].map(([k, r]) => `${k},${r.age},${r.gender},${r.birthday},${r.vipLevel}`);
    const head = "user_id,age,gender,birthday,vipLevel";
    // "\r" alone: csv-parse's record delimiter; the file has no "\n" at all.
    const cr = join(dir, "mac.csv");
    writeFileSync(cr, `${[head, ...lines].join("\r")}\r`);
    const id = await newFile();
    const r = await cli(syncArgs(cr, id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added: {5}3,000 \(3,000 new, 0 changed\) in 2 batches/);
    assertFileEquals(id, rows);
    // In a "\r\n" file a "\n" alone is whitespace before the next row (csv-parse): the fast reader
    // stops there and csv-parse goes on from the 1,500th row.
    const crlf = join(dir, "mixed.csv");
    writeFileSync(crlf, `${[head, ...lines.slice(0, 1500)].join("\r\n")}\r\n\n${lines.slice(1500).join("\r\n")}\r\n`);
    const id2 = await newFile();
    const r2 = await cli(syncArgs(crlf, id2));
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /CSV rows: {2}3,000\n/);
    assertFileEquals(id2, rows);
  });
});

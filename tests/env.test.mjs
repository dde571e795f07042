// Configuration from the environment, in child processes (Node, and Deno with and without
// --allow-env): KAKAO_ADMIN_KEY, KAKAO_REST_API_KEY and KAKAO_BASE_URL stand in for absent (or
// `undefined`) options, an option wins over its variable, a bad value is refused naming the
// variable, blank counts as unset, a browser never reads them, and an unknown
// KAKAO_TALK_CHANNEL_LOG is warned about once and falls back to "warn". Against the emulator
// over loopback.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { createKakaoEmulator, startKakaoEmulatorServer } from "../pkg/testing/index.js";

const CHILD = fileURLToPath(new URL("./env/child.mjs", import.meta.url));
const NODE_PKG = new URL("../pkg/node.js", import.meta.url).href;
const DENO_PKG = new URL("../pkg/deno.js", import.meta.url).href;
const DENO = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));
const CLEAN = { KAKAO_ADMIN_KEY: "", KAKAO_REST_API_KEY: "", KAKAO_BASE_URL: "", KAKAO_TALK_CHANNEL_LOG: "" };

let emu;
let server;
before(async () => {
  emu = createKakaoEmulator();
  emu.addChannel("_ZeUTxl");
  emu.addUser(1);
  server = await startKakaoEmulatorServer({ emulator: emu });
});
after(() => server.close());

function run(cmd, args, env) {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 60_000, env: { ...process.env, ...CLEAN, ...env } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ out: JSON.parse(stdout.trim().split("\n").at(-1)), stdout, stderr }),
    ),
  );
}
const node = (scenario, env, ...rest) => run(process.execPath, [CHILD, NODE_PKG, scenario, ...rest], env);
const requests = () => emu.requests.splice(0).map((r) => `${r.method} ${r.path} ${r.headers.authorization}`);

describe("Node: options from the environment", () => {
  test("new TalkChannelClient() with KAKAO_ADMIN_KEY and KAKAO_BASE_URL calls the emulator with that key", async () => {
    emu.requests.splice(0);
    const { out } = await node("none", { KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: server.url });
    assert.deepEqual(out.result, { userId: "1", channels: [{ channelPublicId: "_ZeUTxl", channelUuid: "@ZeUTxl", relation: "NONE", createdAt: null, updatedAt: null }] });
    assert.deepEqual(requests(), [`GET /v2/api/talk/channels KakaoAK ${emu.adminKey}`]);
  });

  test("explicit `undefined` options read the environment too (KAKAO_REST_API_KEY for customer files); values are trimmed", async () => {
    emu.requests.splice(0);
    const { out } = await node("list", { KAKAO_REST_API_KEY: `${emu.restApiKey}\n`, KAKAO_BASE_URL: ` ${server.url}/ ` });
    assert.deepEqual(out.result, { files: [], emptySlot: 30, usingSlot: 0 });
    assert.deepEqual(requests(), [`GET /v1/talkchannel/target_user_file KakaoAK ${emu.restApiKey}`]);
    const undef = await node("undefined", { KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: server.url });
    assert.equal(undef.out.result.userId, "1");
    assert.deepEqual(requests(), [`GET /v2/api/talk/channels KakaoAK ${emu.adminKey}`]);
  });

  test("an option wins over its variable", async () => {
    emu.requests.splice(0);
    const { out } = await node("explicit", { KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: "http://127.0.0.1:9" }, server.url);
    // The explicit key is not the emulator's: 401 from the emulator proves both options won.
    assert.equal(out.error.name, "KakaoApiError");
    assert.deepEqual(requests(), ["GET /v2/api/talk/channels KakaoAK explicit0admin0key000000000000"]);
  });

  test("a bad value is refused at construction, naming the variable; the key never echoed", async () => {
    const url = await node("none", { KAKAO_BASE_URL: "ftp://kapi.kakao.com" });
    assert.deepEqual(url.out.constructor, {
      name: "ValidationError",
      field: "env.KAKAO_BASE_URL",
      rule: "base_url.scheme",
      message: url.out.constructor.message,
    });
    assert.match(url.out.constructor.message, /^env\.KAKAO_BASE_URL: /);
    const key = await node("none", { KAKAO_ADMIN_KEY: "secret0part one" });
    assert.equal(key.out.constructor.field, "env.KAKAO_ADMIN_KEY");
    assert.equal(key.out.constructor.rule, "secret.format");
    const rest = await node("none", { KAKAO_REST_API_KEY: "rest\u0001key" });
    assert.deepEqual([rest.out.constructor.field, rest.out.constructor.rule], ["env.KAKAO_REST_API_KEY", "secret.format"]);
    for (const shown of [key.stdout, key.stderr, rest.stdout]) assert.ok(!shown.includes("secret0part") && !shown.includes("rest\u0001key"), shown);
  });

  test("blank variables count as unset: the default base URL is kept, and a call needing the key says so", async () => {
    const { out } = await node("none", { KAKAO_ADMIN_KEY: "  ", KAKAO_BASE_URL: "" });
    assert.equal(out.error.rule, "auth.missing_admin_key");
    assert.equal(out.error.message, "adminKey: this call needs the service app admin key: pass adminKey to the TalkChannelClient or set KAKAO_ADMIN_KEY");
  });

  test("never in a browser: with a page's globals the variables are ignored", async () => {
    emu.requests.splice(0);
    const { out } = await node("browser", { KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: server.url });
    assert.equal(out.error.rule, "auth.missing_admin_key");
    assert.deepEqual(requests(), []);
  });

  test("an unknown KAKAO_TALK_CHANNEL_LOG: warned about once (two clients), then level warn", async () => {
    const { out } = await node("log", { KAKAO_TALK_CHANNEL_LOG: "verbose", KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: server.url });
    assert.equal(out.result.userId, "1");
    assert.deepEqual(out.lines, [
      {
        level: "warn",
        message: 'kakao-talk-channel: ignoring KAKAO_TALK_CHANNEL_LOG: must be "off", "error", "warn", "info" or "debug", got "verbose"; using "warn"',
        data: { variable: "KAKAO_TALK_CHANNEL_LOG", level: "warn" },
      },
    ]);
  });
});

describe("Deno: the environment with --allow-env, none without (and no prompt)", { skip: !existsSync(DENO) && "no deno" }, () => {
  const deno = (flags, env) =>
    run(DENO, ["run", "--no-prompt", "--no-lock", `--allow-net=127.0.0.1:${new URL(server.url).port}`, `--allow-read=${fileURLToPath(new URL("../pkg", import.meta.url))}`, ...flags, CHILD, DENO_PKG, "none"], {
      DENO_DIR: fileURLToPath(new URL("../target/deno-cache", import.meta.url)),
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
      ...env,
    });

  test("--allow-env: KAKAO_ADMIN_KEY and KAKAO_BASE_URL are read", async () => {
    emu.requests.splice(0);
    const { out } = await deno(["--allow-env"], { KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: server.url });
    assert.equal(out.result?.userId, "1", JSON.stringify(out));
    assert.deepEqual(requests(), [`GET /v2/api/talk/channels KakaoAK ${emu.adminKey}`]);
  });

  test("without --allow-env: nothing is read, nothing throws; the call says the key is missing", async () => {
    emu.requests.splice(0);
    const { out } = await deno([], { KAKAO_ADMIN_KEY: emu.adminKey, KAKAO_BASE_URL: server.url });
    assert.equal(out.error?.rule, "auth.missing_admin_key", JSON.stringify(out));
    assert.deepEqual(requests(), []);
  });
});

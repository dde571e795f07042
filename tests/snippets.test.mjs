// The README (repository) and pkg-template/README.md (the npm page) as executable documentation:
// every js/ts code block is type-checked against the packed tarball under strict TypeScript with
// exactOptionalPropertyTypes (NodeNext, ESM and CommonJS, and bundler resolution), the
// declaration blocks are compared with the package's exported types, and the blocks annotated
// `run` are compiled and executed with Node against the Kakao emulator over loopback.
// Annotations: tests/snippets/extract.mjs.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { startKakaoEmulatorServer } from "../pkg/testing/index.js";
import { extractSnippets } from "./snippets/extract.mjs";
import { diagnostics, writeProgram } from "./snippets/program.mjs";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = join(root, "tests", ".scratch", "snippets");
const packDir = join(root, "target", "pack-snippets");
const tsc = join(root, "node_modules", ".bin", "tsc");
const guard = pathToFileURL(join(root, "tests", "snippets", "guard.mjs")).href;
const runWorker = join(root, "tests", "snippets", "run-worker.mjs");
const READMES = ["README.md", "pkg-template/README.md"];
/** Skips are for blocks that are not code; there are none today. */
const MAX_SKIPS = 2;
/** What each `run` block prints on stdout, exactly (every run block is listed, even silent ones). */
const WORKER =
  '200 {"userId":"1234567890","channels":[{"channelPublicId":"_ZeUTxl","channelUuid":"@ZeUTxl","relation":"ADDED","createdAt":"2020-04-18T03:17:05.000Z","updatedAt":"2020-04-18T03:17:05.000Z"}]}\n' +
  '400 {"field":"userId","rule":"user_id.format"}\n';
const STDOUT = new Map([
  ["README.md#quick-start", "ADDED 2020-04-18T03:17:05.000Z\n"],
  ["README.md#quick-start-2", "ADDED 2020-04-18T03:17:05.000Z\n"],
  ["README.md#quick-start-3", WORKER],
  ["README.md#customer-file-example", "batch 0: done\n1/2 added in 1 calls\n"],
  ["README.md#checking-users-without-sending-validatecustomerfileusers", ""],
  ["README.md#channel-addblock-webhook", "1234 added true\n"],
  ["README.md#testing-your-code-the-kakao-emulator", ""],
  ["README.md#response-metadata-and-hooks", "GET /v2/api/talk/channels → 200 (attempt 1)\n200 null 1 [ 'userId', 'channels' ]\n"],
  ["pkg-template/README.md#quick-start", "ADDED 2020-04-18T03:17:05.000Z\n"],
  ["pkg-template/README.md#quick-start-2", "ADDED 2020-04-18T03:17:05.000Z\n"],
  ["pkg-template/README.md#quick-start-3", WORKER],
  ["pkg-template/README.md#errors", ""],
  ["pkg-template/README.md#response-metadata-and-hooks", "→ GET /v2/api/talk/channels (attempt 1)\n← 200\n200 1\n"],
  ["pkg-template/README.md#channel-addblock-webhook", "1234 added true\n"],
  ["pkg-template/README.md#testing-your-code-kakao-talk-channeltesting", ""],
  ["pkg-template/README.md#testing-your-code-kakao-talk-channeltesting-2", ""],
]);
/** What some run blocks print on stderr. */
const STDERR = new Map([["pkg-template/README.md#errors", /^batch 1: 1 users: KakaoApiError: Kakao API error 500\b/m]]);
const COMPILER = {
  strict: true,
  exactOptionalPropertyTypes: true,
  target: "ES2022",
  lib: ["ES2022"],
  types: ["node"],
  moduleDetection: "force",
  skipLibCheck: false,
};

const readmeSnippets = READMES.flatMap((f) => extractSnippets(readFileSync(join(root, f), "utf8"), f));
const fixtureSnippets = extractSnippets(readFileSync(join(root, "tests", "snippets", "broken.md"), "utf8"), "broken.md");
let readmeFiles;
let fixtureFiles;
let nodeNext;
let bundler;
let loose;
let server;

async function sh(cmd, args, opts = {}) {
  try {
    return await run(cmd, args, { cwd: scratch, maxBuffer: 32 << 20, timeout: 120_000, ...opts });
  } catch (err) {
    err.message += `\n--- stdout\n${err.stdout}\n--- stderr\n${err.stderr}`;
    throw err;
  }
}

/** tsc's diagnostics for one project (tsc exits non-zero when there are any). */
async function typeCheck(project) {
  try {
    const { stdout } = await run(tsc, ["-p", project, "--pretty", "false"], { cwd: scratch, maxBuffer: 32 << 20, timeout: 120_000 });
    return stdout;
  } catch (err) {
    if (typeof err.stdout !== "string" || err.stdout === "") throw err;
    return err.stdout;
  }
}

const show = (list) => list.map((d) => `${d.at}: ${d.code} ${d.message}`).join("\n");

before(async () => {
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const { stdout } = await sh("npm", ["pack", "--pack-destination", packDir, "--loglevel=error"], { cwd: join(root, "pkg") });
  const tarball = join(packDir, stdout.trim().split("\n").at(-1));
  const pkg = { name: "snippets-app", private: true, type: "module", dependencies: { "kakao-talk-channel": `file:${tarball}` } };
  writeFileSync(join(scratch, "package.json"), JSON.stringify(pkg, null, 2));
  await sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"]);

  readmeFiles = writeProgram(join(scratch, "src"), "readme", readmeSnippets);
  fixtureFiles = writeProgram(join(scratch, "src"), "fixture", fixtureSnippets);
  // @types/node comes from the repository's node_modules (the scratch folder is inside it).
  const nodeNextConfig = { compilerOptions: { ...COMPILER, module: "NodeNext", moduleResolution: "NodeNext", allowJs: true, checkJs: true, rootDir: "src", outDir: "out" }, include: ["src"] };
  const esm = readmeFiles.filter((f) => !f.path.endsWith(".cjs")).map((f) => `src/${f.path}`);
  const bundlerConfig = { compilerOptions: { ...COMPILER, module: "ESNext", moduleResolution: "bundler", noEmit: true }, files: esm };
  // The same blocks without exactOptionalPropertyTypes (what most projects use), not emitted.
  const looseConfig = { compilerOptions: { ...nodeNextConfig.compilerOptions, exactOptionalPropertyTypes: false, noEmit: true }, files: readmeFiles.map((f) => `src/${f.path}`) };
  writeFileSync(join(scratch, "tsconfig.nodenext.json"), JSON.stringify(nodeNextConfig, null, 2));
  writeFileSync(join(scratch, "tsconfig.bundler.json"), JSON.stringify(bundlerConfig, null, 2));
  writeFileSync(join(scratch, "tsconfig.loose.json"), JSON.stringify(looseConfig, null, 2));
  const [a, b, c] = await Promise.all(["nodenext", "bundler", "loose"].map((name) => typeCheck(`tsconfig.${name}.json`)));
  nodeNext = diagnostics(a, [...readmeFiles, ...fixtureFiles], "src");
  bundler = diagnostics(b, readmeFiles, "src");
  loose = diagnostics(c, readmeFiles, "src");

  server = await startKakaoEmulatorServer();
  const emu = server.emulator;
  emu.addChannel("_ZeUTxl");
  emu.setRelation("1234567890", "_ZeUTxl", "ADDED", { at: new Date("2020-04-18T03:17:05Z") });
});

after(() => server?.close());

describe("README snippets", () => {
  test("every js/ts block of both READMEs is found, and the few skipped are listed with a reason", () => {
    const counts = Object.fromEntries(READMES.map((f) => [f, readmeSnippets.filter((s) => s.file === f).length]));
    assert.ok(counts["README.md"] >= 10 && counts["pkg-template/README.md"] >= 9, JSON.stringify(counts));
    const skipped = readmeSnippets.filter((s) => s.skip !== null).map((s) => `${s.file}:${s.line} ${s.skip}`);
    assert.ok(skipped.length <= MAX_SKIPS, `too many skipped blocks:\n${skipped.join("\n")}`);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      readmeSnippets.filter((s) => s.declarations).map((s) => s.id),
      ["README.md#endpoints", "README.md#checking-users-without-sending-validatecustomerfileusers-2", "pkg-template/README.md#methods"],
    );
    const ids = readmeSnippets.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, "two blocks with one id");
  });

  test("the extractor refuses what it cannot check: another language, a stray or unknown annotation, a skip without reason", () => {
    const refuses = (md, pattern) => assert.throws(() => extractSnippets(md, "x.md"), pattern);
    refuses("```python\nprint(1)\n```\n", /x\.md:1: a `python` block/);
    refuses("<!-- snippet: run -->\n\n```js\n1\n```\n", /x\.md:1: annotation not directly above a code block/);
    refuses("<!-- snippet: runn -->\n```js\n1\n```\n", /malformed or unknown annotation/);
    refuses("<!-- snippet: skip -->\n```js\n1\n```\n", /a skip needs a reason/);
    refuses("<!-- snippet: run -->\n```sh\nls\n```\n", /an annotation on a `sh` block/);
    refuses("```js\n1\n", /unclosed code block/);
    const [s] = extractSnippets("## A b\n<!-- snippet: prelude const x = 1; -->\n<!-- snippet: run shim-base-url -->\n```cjs\nx;\n```\n", "x.md");
    assert.deepEqual([s.id, s.line, s.kind, s.prelude, s.run, s.shimBaseUrl, s.code], ["x.md#a-b", 4, "cjs", ["const x = 1;"], true, true, "x;"]);
  });

  test("the check catches each broken snippet of issue 17 at its line (fixtures: the snippets as they were)", () => {
    assert.equal(fixtureSnippets.length, 4);
    for (const s of fixtureSnippets) {
      const found = nodeNext.filter((d) => d.file?.snippet === s);
      assert.ok(found.length > 0 && found.every((d) => d.code === s.expectError), `broken.md:${s.line}: wanted ${s.expectError} only, got:\n${show(found)}`);
      const line = Number(/^broken\.md:(\d+)$/.exec(found[0].at)?.[1]);
      assert.ok(line > s.line && line <= s.line + s.code.split("\n").length, `${found[0].at} is not inside the block at broken.md:${s.line}`);
    }
  });

  test("NodeNext (ESM .mts and CommonJS .cjs), strict, exactOptionalPropertyTypes: every block compiles", () => {
    const readme = nodeNext.filter((d) => !d.file?.path.startsWith("fixture/"));
    assert.equal(readme.length, 0, `\n${show(readme)}`);
  });

  test("bundler resolution (module ESNext), strict, exactOptionalPropertyTypes: every ESM block compiles", () => {
    assert.equal(bundler.length, 0, `\n${show(bundler)}`);
  });

  test("NodeNext without exactOptionalPropertyTypes (ESM and CommonJS): every block compiles", () => {
    assert.equal(loose.length, 0, `\n${show(loose)}`);
  });

  test("declaration blocks are the package's exported types, name by name", () => {
    const checks = readmeFiles.filter((f) => f.names);
    assert.equal(checks.length, 3);
    for (const f of checks) assert.ok(f.names.types.length + f.names.functions.length > 0, f.path);
    assert.deepEqual(
      checks.flatMap((f) => [...f.names.types, ...f.names.functions]).sort(),
      [
        "AddBatchResult",
        "AddBatchResult",
        "AddUsersResult",
        "AddUsersResult",
        "ChannelRelation",
        "ChannelRelation",
        "CustomerFile",
        "CustomerFile",
        "CustomerFileList",
        "CustomerFileList",
        "DeleteBatchResult",
        "DeleteBatchResult",
        "DeleteUsersResult",
        "DeleteUsersResult",
        "MultiRelations",
        "MultiRelations",
        "UserChannelRelations",
        "UserChannelRelations",
        "validateCustomerFileUsers",
      ],
    );
  });

  describe("the blocks annotated `run`, compiled and run with Node against the emulator over loopback", () => {
    const runnable = readmeSnippets.filter((s) => s.run);
    test("every run block has its expected output listed", () => {
      assert.deepEqual(runnable.map((s) => s.id).sort(), [...STDOUT.keys()].sort());
      for (const id of STDERR.keys()) assert.ok(STDOUT.has(id), id);
    });
    for (const s of runnable) {
      test(`${s.id} (${s.file}:${s.line})`, async () => {
        const file = readmeFiles.find((f) => f.snippet === s);
        const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: "" };
        Object.assign(env, {
          KAKAO_ADMIN_KEY: server.emulator.adminKey,
          KAKAO_REST_API_KEY: server.emulator.restApiKey,
          KAKAO_BASE_URL: server.url,
        });
        if (s.shimBaseUrl) env.SNIPPET_SHIM_BASE_URL = server.url;
        const args = ["--import", guard, ...(s.workerPaths ? [runWorker] : []), join("out", file.emitted), ...(s.workerPaths ?? [])];
        const { stdout, stderr } = await sh(process.execPath, args, { env, timeout: 30_000 });
        assert.equal(stdout, STDOUT.get(s.id), `stdout of ${s.file}:${s.line}`);
        if (STDERR.has(s.id)) assert.match(stderr, STDERR.get(s.id), `stderr of ${s.file}:${s.line}`);
        if (s.shimBaseUrl) {
          const n = Number(/snippet-shim: (\d+) request/.exec(stderr)?.[1]);
          assert.ok(
            n > 0,
            `${s.file}:${s.line - 1}: the client now reads KAKAO_BASE_URL itself: change the annotation \`run shim-base-url\` to \`run\`\n${stderr}`,
          );
        }
      });
    }
  });
});

// The README shipped in pkg/ (the npm page) is pkg-template/README.md: no link into the
// repository (dead on npm), the sections a user needs, and every public option, error class,
// export and CLI flag of the built package named in it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
const readme = readFileSync(join(pkg, "README.md"), "utf8");

/** Markdown links and HTML hrefs whose target is neither an absolute http(s) URL nor an anchor. */
function relativeLinks(text) {
  return [...text.matchAll(/\]\((?!http|#)[^)]*\)|href="(?!http|#)[^"]*"/g)].map((m) => m[0]);
}

describe("pkg/README.md, the npm page", () => {
  test("is pkg-template/README.md, not the repository README", () => {
    assert.equal(readme, readFileSync(join(root, "pkg-template", "README.md"), "utf8"));
    assert.notEqual(readme, readFileSync(join(root, "README.md"), "utf8"));
  });

  test("has no relative link (the check itself catches one)", () => {
    assert.deepEqual(relativeLinks("[a](examples-node/) [b](#x) [c](https://x) [d](./BENCHMARKS.md) <a href=\"tests/\">"), [
      "](examples-node/)",
      "](./BENCHMARKS.md)",
      'href="tests/"',
    ]);
    assert.deepEqual(relativeLinks(readme), []);
  });

  test("has the sections a user needs", () => {
    for (const word of ["Bundlers", "Errors", "Logging", "testing", "sync", "Cloudflare"]) {
      assert.ok(readme.includes(word), `README does not mention ${word}`);
    }
    for (const heading of ["## Install", "## Quick start", "## Runtimes", "## Bundlers", "## Options", "## Errors", "## Logging"]) {
      assert.ok(readme.includes(`\n${heading}`), `README has no "${heading}" section`);
    }
  });

  test("names every client option, per-call option and error class the types declare", () => {
    const client = readFileSync(join(pkg, "client.d.ts"), "utf8");
    const keysOf = (name) => {
      const body = new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(client)?.[1];
      assert.ok(body, `client.d.ts has no interface ${name}`);
      return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
    };
    const options = [...keysOf("ClientOptions"), ...keysOf("RequestOptions"), ...keysOf("BulkRequestOptions")];
    assert.ok(options.length >= 13, `only ${options.length} options found`);
    // A class, or (BulkOperationError, which narrows per call after `instanceof`) a constructor const.
    const classes = [...readFileSync(join(pkg, "errors.d.ts"), "utf8").matchAll(/^export declare (?:class (\w+)|const (\w+): \{)/gm)].map((m) => m[1] ?? m[2]);
    assert.equal(classes.length, 8);
    for (const name of [...options, ...classes]) assert.ok(readme.includes(`\`${name}\``), `README does not name \`${name}\``);
  });

  test("names every runtime export of the package and of kakao-talk-channel/testing", async () => {
    const names = [
      ...Object.keys(await import(pathToFileURL(join(pkg, "node.js")).href)),
      ...Object.keys(await import(pathToFileURL(join(pkg, "testing", "index.js")).href)),
    ];
    assert.ok(names.includes("TalkChannelClient") && names.includes("createKakaoEmulator"));
    for (const name of names) assert.ok(readme.includes(name), `README does not name ${name}`);
  });

  test("names every flag of `kakao-talk-channel sync --help`", () => {
    const help = execFileSync(process.execPath, [join(pkg, "cli.mjs"), "--help"], { encoding: "utf8" });
    const flags = [...new Set([...help.matchAll(/^\s+(--[a-z-]+|-h)\b/gm)].map((m) => m[1]))];
    assert.ok(flags.length >= 12, `only ${flags.length} flags in --help`);
    for (const flag of flags) assert.ok(readme.includes(`\`${flag}`), `README does not name ${flag}`);
  });
});

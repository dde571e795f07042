// scripts/import-graph.mjs: no two modules of src/ (nor of a crate under crates/) import each other, directly or through
// others (DESIGN: "imports run one way"). The checker is tried on small crates first, so a
// checker that finds nothing cannot pass unnoticed.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CRATE_SRC_DIRS, codeOnly, cyclesOf, describeCycle, graphOf } from "../scripts/import-graph.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = mkdtempSync(join(tmpdir(), "import-graph-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A crate of `files` (path under src/ → text); its src/ directory. */
function crate(name, files) {
  const src = join(scratch, name, "src");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), text);
  }
  return src;
}

describe("scripts/import-graph.mjs", () => {
  test("finds a direct cycle and one through a third module, with the lines", () => {
    const src = crate("cycles", {
      "lib.rs": "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n",
      "a.rs": "use crate::b::X;\n",
      "b.rs": "// comment\nuse super::a;\n",
      "c.rs": "pub fn f() { crate::d::g() }\n",
      "d/mod.rs": "mod e;\n",
      "d/e.rs": "use super::super::c::{self, f as h};\n",
    });
    const g = graphOf(src);
    const cycles = cyclesOf(g);
    assert.deepEqual(cycles[0], ["src/a.rs", "src/b.rs"]);
    assert.match(describeCycle(g, cycles[0]), /src\/a\.rs:1 \(src\/a\.rs\) → src\/b\.rs/);
    assert.match(describeCycle(g, cycles[0]), /src\/b\.rs:2 \(src\/b\.rs\) → src\/a\.rs/);
    // c → d (the function's path names d/mod.rs), d/e → c: not a cycle, since d/mod.rs names no one.
    assert.equal(cycles.length, 1);
    assert.ok(g.edges.get("src/d/e.rs")?.has("src/c.rs"));
    assert.ok(g.edges.get("src/c.rs")?.has("src/d/mod.rs"));
  });

  test("a cycle through three files is one component", () => {
    const src = crate("three", {
      "lib.rs": "mod x;\nmod y;\nmod z;\n",
      "x.rs": "use crate::y::f;\n",
      "y.rs": "use super::{z::g};\n",
      "z.rs": "fn k() { super::x::h() }\n",
    });
    assert.deepEqual(cyclesOf(graphOf(src)), [["src/x.rs", "src/y.rs", "src/z.rs"]]);
  });

  test("paths in comments and strings are no imports; a test module is a module of its own", () => {
    const src = crate("quiet", {
      "lib.rs": "mod p;\nmod q;\n",
      "p.rs": '//! see crate::q\n/* crate::q::x */\nconst S: &str = "crate::q::y";\nconst R: &str = r#"super::q"#;\n',
      "q.rs": "use crate::p::S;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::p::R;\n}\n",
    });
    const g = graphOf(src);
    assert.deepEqual([...(g.edges.get("src/p.rs")?.keys() ?? [])], []);
    assert.deepEqual([...(g.edges.get("src/q.rs::tests")?.keys() ?? [])], ["src/q.rs", "src/p.rs"]);
    assert.deepEqual(cyclesOf(g), []);
    assert.equal(codeOnly("let c = '\"'; crate::x"), "let c =    ; crate::x");
  });

  // The main crate and the workspace's crates (crates/core, the pure core; crates/users, the
  // add path's hot code), each with at least this many modules: a layout change that empties
  // one is noticed.
  const least = { src: 20, "crates/core/src": 15, "crates/users/src": 6 };
  for (const dir of CRATE_SRC_DIRS) {
    test(`${dir}/ has no cycle between modules`, () => {
      const g = graphOf(join(root, dir));
      assert.ok(g.files.length >= (least[dir] ?? 1), `only ${g.files.length} modules found`);
      const cycles = cyclesOf(g);
      assert.equal(cycles.length, 0, cycles.map((c) => describeCycle(g, c)).join("\n"));
    });
  }
});

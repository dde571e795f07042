#!/usr/bin/env node
// The module graph of src/ (one node per file) and its cycles. Every `crate::…` and `super::…`
// path in a file's code (its `use` lines and paths written inline, comments and strings left
// out) is an edge to the module it names: a file, or an inline `mod name { … }` (a test
// module), which is a node of its own (`file::name`). Two files that reach each other, directly or through others,
// are a cycle: DESIGN's "imports run one way". Prints every cycle; exits 1 when there is one.
//
//   node scripts/import-graph.mjs            check src/ and each crate under crates/
//   node scripts/import-graph.mjs --edges    print the edges too
//
// Also used by tests/import-graph.test.mjs (`cyclesOf`, `graphOf`).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Every `.rs` file under `dir`. */
function rustFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...rustFiles(p));
    else if (name.endsWith(".rs")) out.push(p);
  }
  return out;
}

/** `src` without comments, string and char literals (replaced by spaces: line numbers kept). */
export function codeOnly(src) {
  let out = "";
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (src[i] === "/" && src[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (src[i] === "*" && src[i + 1] === "/") {
          depth--;
          i += 2;
        } else {
          if (src[i] === "\n") out += "\n";
          i++;
        }
      }
    } else if (c === "r" && /^r#*"/.test(src.slice(i, i + 40)) && !/[A-Za-z0-9_]/.test(src[i - 1] ?? "")) {
      const hashes = /^r(#*)"/.exec(src.slice(i, i + 40))?.[1] ?? "";
      const end = src.indexOf(`"${hashes}`, i + 2 + hashes.length);
      const stop = end < 0 ? n : end + 1 + hashes.length;
      out += src.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      out += src.slice(i, j + 1).replace(/[^\n]/g, " ");
      i = j + 1;
    } else if (c === "'" && /^'(\\.|[^\\'])'/.test(src.slice(i, i + 12))) {
      // A char literal ('a', '\n', '\''); a lifetime ('a) has no closing quote.
      const m = /^'(\\[^']*|[^\\'])'/.exec(src.slice(i, i + 12));
      const len = m ? m[0].length : 1;
      out += " ".repeat(len);
      i += len;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The module path of a file: src/lib.rs → [], src/api/mod.rs → ["api"], src/api/input.rs → ["api", "input"]. */
function modulePath(srcDir, file) {
  const parts = relative(srcDir, file).replace(/\.rs$/, "").split(/[\\/]/);
  if (parts.length === 1 && parts[0] === "lib") return [];
  if (parts[parts.length - 1] === "mod") parts.pop();
  return parts;
}

/**
 * The graph of the crate at `srcDir`: `{ files, edges }`, `edges` a Map from a file (relative
 * to srcDir's parent) to the Map of files it names, each with the line of the first mention.
 */
export function graphOf(srcDir) {
  const files = rustFiles(srcDir);
  const root = dirname(srcDir);
  const name = (f) => relative(root, f).split("\\").join("/");
  // Pass 1: each file's lines, each line's module (inline modules are nodes of their own,
  // `file::name`: a test module that imports its parent's helpers is no cycle of the parent).
  const byModule = new Map();
  const scanned = files.map((file) => {
    const own = modulePath(srcDir, file);
    byModule.set(own.join("::"), name(file));
    const lines = codeOnly(readFileSync(file, "utf8")).split("\n");
    const scopes = [];
    let depth = 0;
    const at = lines.map((line) => {
      const scope = scopes.map((s) => s.name);
      const open = /\bmod\s+(\w+)\s*\{/.exec(line);
      for (const ch of line) {
        if (ch === "{") depth++;
        else if (ch === "}") {
          depth--;
          if (scopes.length > 0 && depth < scopes[scopes.length - 1].depth) scopes.pop();
        }
      }
      if (open) {
        scopes.push({ name: open[1], depth });
        const inner = [...scope, open[1]];
        byModule.set([...own, ...inner].join("::"), `${name(file)}::${inner.join("::")}`);
      }
      return scope;
    });
    return { file, own, lines, at };
  });
  /** The node of the longest prefix of `path` (module segments) that is a module. */
  const nodeOf = (path) => {
    for (let k = path.length; k >= 0; k--) {
      const n = byModule.get(path.slice(0, k).join("::"));
      if (n !== undefined) return n;
    }
    return undefined;
  };
  // Pass 2: the paths each line names.
  const edges = new Map([...byModule.values()].map((n) => [n, new Map()]));
  for (const { file, own, lines, at } of scanned) {
    lines.forEach((line, index) => {
      const scope = at[index] ?? [];
      const here = [...own, ...scope];
      const from = scope.length === 0 ? name(file) : `${name(file)}::${scope.join("::")}`;
      const targets = edges.get(from) ?? new Map();
      edges.set(from, targets);
      // \`use\` trees with braces are flattened: \`use super::{a, b::c}\` names \`super::a\`, \`super::b::c\`.
      const expanded = line.replace(/\b((?:crate|super|self)(?:::\w+)*)::\{([^{}]*)\}/g, (_m, base, inner) =>
        inner
          .split(",")
          .map((s) => s.trim().split(/\s+as\s+/)[0])
          .filter((s) => s !== "" && s !== "*")
          .map((s) => (s === "self" ? base : `${base}::${s}`))
          .join(" "),
      );
      for (const m of expanded.matchAll(/\b(crate|super)((?:::(?:super|\w+))*)/g)) {
        const segs = m[2].split("::").filter(Boolean);
        let base = m[1] === "crate" ? [] : here.slice(0, -1);
        while (segs[0] === "super") {
          segs.shift();
          base = base.slice(0, -1);
        }
        const target = nodeOf([...base, ...segs]);
        if (target !== undefined && target !== from && !targets.has(target)) targets.set(target, index + 1);
      }
    });
  }
  return { files: [...edges.keys()], edges };
}

/** The strongly connected components of more than one file (Tarjan), each sorted, in file order. */
export function cyclesOf(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const f of graph.files) if (!index.has(f)) visit(f);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** A readable account of one cycle: each file's edges to the others of its component, with lines. */
export function describeCycle(graph, scc) {
  const members = new Set(scc);
  const lines = [];
  for (const f of scc) {
    for (const [t, line] of graph.edges.get(f) ?? []) if (members.has(t)) lines.push(`  ${f.split("::")[0]}:${line} (${f}) → ${t}`);
  }
  return `cycle between ${scc.join(", ")}:\n${lines.join("\n")}`;
}

/** The source directories of the workspace's crates (relative to the repository): the main
 * crate, the pure core, and the hot crate of the add path. Each is a graph of its own: one
 * crate cannot import another that imports it (Cargo refuses the cycle). */
export const CRATE_SRC_DIRS = ["src", "crates/core/src", "crates/users/src"];

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
  let failed = false;
  for (const dir of CRATE_SRC_DIRS) {
    const srcDir = join(repo, dir);
    if (!existsSync(srcDir)) {
      console.error(`no ${srcDir}`);
      process.exit(2);
    }
    const graph = graphOf(srcDir);
    if (process.argv.includes("--edges")) {
      for (const [f, ts] of graph.edges) for (const [t, line] of ts) console.log(`${dir}: ${f}:${line} → ${t}`);
    }
    const cycles = cyclesOf(graph);
    for (const c of cycles) console.log(describeCycle(graph, c));
    if (cycles.length > 0) {
      console.log(`${cycles.length} cycle(s) between modules of ${dir}/`);
      failed = true;
    } else {
      console.log(`no cycle between the ${graph.files.length} modules of ${dir}/`);
    }
  }
  if (failed) process.exit(1);
}

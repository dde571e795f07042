// Writes README snippets as one TypeScript program (each snippet its own module) and maps tsc's
// diagnostics back to Markdown lines. Used by tests/snippets.test.mjs.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Exact type equality (the usual mutual-conditional trick). */
const EQUAL = "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;";
const DECLARATION_LINE = /^(interface|type|function) ([A-Za-z_$][\w$]*)/;

/**
 * Writes `snippets` (not skipped) under `dir/<group>/` and returns the files it wrote, each with
 * what is needed to map a diagnostic back: `{ path, snippet, firstLine }` where line
 * `firstLine` of the file is the block's first line.
 */
export function writeProgram(dir, group, snippets) {
  const out = [];
  mkdirSync(join(dir, group), { recursive: true });
  snippets.forEach((s, i) => {
    if (s.skip !== null) return;
    const base = `${group}/s${String(i).padStart(2, "0")}`;
    const head = s.prelude.length;
    if (s.declarations) {
      // A .d.mts module: each top-level declaration exported so it can be compared with the package's.
      const names = { types: [], functions: [] };
      const body = s.code.split("\n").map((line) => {
        const m = DECLARATION_LINE.exec(line);
        if (!m) return line;
        (m[1] === "function" ? names.functions : names.types).push(m[2]);
        return `export ${line}`;
      });
      if (names.types.length + names.functions.length === 0) throw new Error(`${s.file}:${s.line}: a declarations block declares nothing`);
      writeFileSync(join(dir, `${base}.d.mts`), [...s.prelude, ...body, ""].join("\n"));
      out.push({ path: `${base}.d.mts`, snippet: s, firstLine: head + 1 });
      // Interfaces and types: exactly the package's. Functions: the package's is assignable to the
      // README's signature (the README may spell a parameter's type out in place).
      const check = [
        `import type * as S from "./s${String(i).padStart(2, "0")}.mjs";`,
        'import * as P from "kakao-talk-channel";',
        EQUAL,
        ...names.types.map((n) => `export const type_${n}: Equal<S.${n}, P.${n}> = true;`),
        ...names.functions.map((n) => `export const fn_${n}: typeof S.${n} = P.${n};`),
        "",
      ];
      writeFileSync(join(dir, `${base}.check.mts`), check.join("\n"));
      out.push({ path: `${base}.check.mts`, snippet: s, firstLine: Number.NaN, names });
      return;
    }
    const ext = s.kind === "cjs" ? "cjs" : "mts";
    writeFileSync(join(dir, `${base}.${ext}`), [...s.prelude, s.code, ...s.after, ""].join("\n"));
    out.push({ path: `${base}.${ext}`, snippet: s, firstLine: head + 1, emitted: `${base}.${ext === "cjs" ? "cjs" : "mjs"}` });
  });
  return out;
}

/**
 * Parses `tsc --pretty false` output into `{ file, line, code, message, at }`, `at` being the
 * Markdown position (`README.md:42`, or `README.md:41 (prelude)` / `(after)` / `(declaration check)`).
 */
export function diagnostics(output, files, srcDir) {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const found = [];
  for (const raw of output.split("\n")) {
    const m = /^(.*?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(raw);
    if (!m) {
      if (raw.trim() !== "" && found.length > 0) found[found.length - 1].message += ` ${raw.trim()}`;
      else if (raw.trim() !== "") found.push({ file: null, line: 0, code: "?", message: raw.trim(), at: "(tsc)" });
      continue;
    }
    const rel = m[1].replaceAll("\\", "/").replace(new RegExp(`^.*?${srcDir}/`), "");
    const f = byPath.get(rel);
    const line = Number(m[2]);
    let at = `${rel}:${line}`;
    if (f) {
      const s = f.snippet;
      const offset = line - f.firstLine;
      const codeLines = s.code.split("\n").length;
      if (Number.isNaN(offset)) at = `${s.file}:${s.line} (declaration check: ${lineOf(f, line)})`;
      else if (offset < 0) at = `${s.file}:${s.line} (prelude)`;
      else if (offset >= codeLines) at = `${s.file}:${s.line} (after)`;
      else at = `${s.file}:${s.line + 1 + offset}`;
    }
    found.push({ file: f ?? null, line, code: m[4], message: m[5], at });
  }
  return found;
}

function lineOf(f, line) {
  const names = [...f.names.types, ...f.names.functions];
  return names[line - 4] ?? `line ${line}`;
}

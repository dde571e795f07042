// The rejects file of a run that found rows breaking the SDK's rules: each problem's line,
// column, rule and message, then the row's cells as read.
import { recordLines, recordsAt } from "./csv.mjs";
import { writeAtomically } from "./state.mjs";

/**
 * @import { SyncOptions } from "./common.mjs"
 * @import { Column, Problem } from "./csv.mjs"
 */

/** @param {unknown} value */
export function csvCell(value) {
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes the rejects file: `line,column,rule,message` and the row's cells, one line per problem.
 * @param {Buffer} bytes
 * @param {SyncOptions} opts
 * @param {string[]} header
 * @param {number} idIndex
 * @param {Column[]} columns
 * @param {Problem[]} problems
 */
export function writeRejects(bytes, opts, header, idIndex, columns, problems) {
  const records = recordsAt(bytes, opts.csv, new Set(problems.map((p) => p.i + 1)));
  const lines = recordLines(bytes, opts.csv);
  /** @param {number} i */
  const lineOf = (i) => lines[i + 1];
  const byKey = new Map(columns.map((c) => [c.key, c.header]));
  problems.sort((a, b) => a.i - b.i);
  const rejects = problems.map((p) => ({
    ...p,
    line: lineOf(p.i),
    column: p.field === "" ? "" : p.field === "id" ? header[idIndex] : (byKey.get(p.field.replace(/^fields\./, "")) ?? p.field),
    message: p.duplicateOf === undefined ? p.message : `is the same user as line ${lineOf(p.duplicateOf)}; each id may appear once`,
  }));
  const out = [["line", "column", "rule", "message", ...header].map(csvCell).join(",")];
  for (const r of rejects) out.push([r.line, r.column, r.rule, r.message, .../** @type {string[]} */ (records.get(r.i + 1))].map(csvCell).join(","));
  writeAtomically(opts.rejects, `${out.join("\n")}\n`);
  return rejects;
}

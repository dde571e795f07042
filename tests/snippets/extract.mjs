// Finds the code blocks of a Markdown file and the `<!-- snippet: … -->` annotations right before
// each (HTML comments: invisible on GitHub and npm). Used by tests/snippets.test.mjs.
//
// Annotations, one per line, directly above the fence (several may stack):
//   <!-- snippet: prelude CODE -->       code put before the block (imports, free variables the prose implies)
//   <!-- snippet: after CODE -->         code put after the block (checks of what the block's comments claim)
//   <!-- snippet: run -->                also compile and run it against the emulator (env vars only)
//   <!-- snippet: run shim-base-url -->  the same, `https://kapi.kakao.com` redirected to KAKAO_BASE_URL
//   <!-- snippet: worker PATH... -->     with run: the block is a Worker; its default export's fetch
//                                        gets GET PATH for each path, the KAKAO_* variables as env
//   <!-- snippet: declarations -->       a block of interface/function signatures: checked as a .d.ts
//                                        and each name against the package's exported type
//   <!-- snippet: skip REASON -->        not checked (REASON required)
//   <!-- snippet: expect-error TSnnnn --> (test fixtures only) the block must fail with this code

/** Fence languages that are code we check, and the file kind each is checked as. */
export const CODE_LANGS = { js: "esm", mjs: "esm", javascript: "esm", ts: "esm", mts: "esm", typescript: "esm", cjs: "cjs" };
/** Fence languages that are not JS/TS (shell commands, program output, text). */
export const OTHER_LANGS = new Set(["", "sh", "bash", "shell", "console", "text", "toml", "json"]);
const KINDS = new Set(["prelude", "after", "run", "worker", "declarations", "skip", "expect-error"]);

/**
 * Every fenced block of `markdown` whose language is JS or TS, with its annotations.
 * Throws on a block in a language it does not know, a malformed or unknown annotation, an
 * annotation not directly above a fence, or an unclosed fence: nothing goes unchecked silently.
 */
export function extractSnippets(markdown, file) {
  const lines = markdown.split("\n");
  const snippets = [];
  const problems = [];
  let pending = [];
  let heading = "(top)";
  const perHeading = new Map();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const where = `${file}:${i + 1}`;
    if (line.startsWith("<!-- snippet")) {
      const m = /^<!-- snippet: ([a-z-]+)(?: (.*?))? -->$/.exec(line);
      if (!m || !KINDS.has(m[1])) problems.push(`${where}: malformed or unknown annotation: ${line}`);
      else pending.push({ kind: m[1], arg: m[2] ?? "", line: i + 1 });
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*$/.exec(line);
    if (!fence) {
      if (pending.length > 0) problems.push(`${file}:${pending[0].line}: annotation not directly above a code block`);
      pending = [];
      if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, "");
      continue;
    }
    const [, indent, marker, rawLang] = fence;
    const close = lines.findIndex((l, j) => j > i && l.trim() === marker);
    if (close < 0) {
      problems.push(`${where}: unclosed code block`);
      break;
    }
    const lang = rawLang.toLowerCase();
    const annotations = pending;
    pending = [];
    const body = lines.slice(i + 1, close).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
    i = close;
    if (OTHER_LANGS.has(lang)) {
      if (annotations.length > 0) problems.push(`${where}: an annotation on a \`${lang}\` block, which is never checked`);
      continue;
    }
    if (!(lang in CODE_LANGS)) {
      problems.push(`${where}: a \`${lang}\` block: neither JS/TS (checked) nor a known non-code language`);
      continue;
    }
    const n = (perHeading.get(heading) ?? 0) + 1;
    perHeading.set(heading, n);
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} -]/gu, "")
      .trim()
      .replace(/ +/g, "-");
    const snippet = {
      id: `${file}#${slug}${n > 1 ? `-${n}` : ""}`,
      file,
      line: i - body.length, // the fence's line, 1-based: the block's first line is line + 1
      lang,
      kind: CODE_LANGS[lang],
      code: body.join("\n"),
      prelude: [],
      after: [],
      run: false,
      shimBaseUrl: false,
      workerPaths: null,
      declarations: false,
      skip: null,
      expectError: null,
    };
    for (const a of annotations) {
      const at = `${file}:${a.line}`;
      if (a.kind === "prelude") snippet.prelude.push(a.arg);
      else if (a.kind === "after") snippet.after.push(a.arg);
      else if (a.kind === "run") {
        if (a.arg !== "" && a.arg !== "shim-base-url") problems.push(`${at}: run takes nothing or "shim-base-url", not "${a.arg}"`);
        snippet.run = true;
        snippet.shimBaseUrl = a.arg === "shim-base-url";
      } else if (a.kind === "worker") {
        snippet.workerPaths = a.arg.split(" ").filter(Boolean);
        if (!snippet.workerPaths.every((p) => p.startsWith("/"))) problems.push(`${at}: worker takes paths starting with /`);
      } else if (a.kind === "declarations") snippet.declarations = true;
      else if (a.kind === "skip") {
        if (a.arg.trim().length < 8) problems.push(`${at}: a skip needs a reason`);
        snippet.skip = a.arg;
      } else if (a.kind === "expect-error") {
        if (!/^TS\d+$/.test(a.arg)) problems.push(`${at}: expect-error takes a TS error code`);
        snippet.expectError = a.arg;
      }
    }
    if (snippet.declarations && snippet.after.length > 0) problems.push(`${snippet.file}:${snippet.line}: declarations take a prelude only`);
    if (snippet.declarations && (snippet.run || snippet.kind !== "esm")) problems.push(`${snippet.file}:${snippet.line}: declarations are not run`);
    if (snippet.workerPaths && !snippet.run) problems.push(`${snippet.file}:${snippet.line}: worker without run`);
    if (snippet.skip !== null && (snippet.run || snippet.declarations)) problems.push(`${snippet.file}:${snippet.line}: skipped and checked?`);
    snippets.push(snippet);
  }
  if (pending.length > 0) problems.push(`${file}: annotation at the end of the file`);
  if (problems.length > 0) throw new Error(`snippets of ${file}:\n  ${problems.join("\n  ")}`);
  return snippets;
}

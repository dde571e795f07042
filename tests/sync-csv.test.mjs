// The sync command's fast CSV reader (pkg/cli/records.mjs, behind eachRecord in pkg/cli/csv.mjs)
// against csv-parse with the CLI's options, the reader it stands in for: the same records (and
// the same error) for random CSVs made of the bytes that matter (commas, quotes, spaces, tabs,
// "\r", "\n", "\r\n", a BOM, Korean, whitespace outside ASCII), and for hand-picked cases; which of
// them it reads itself and which it leaves to csv-parse; and `recordAt` giving back each record
// from the offset `each` gave.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CSV_OPTIONS, eachRecord } from "../pkg/cli/csv.mjs";
import { FastCsv } from "../pkg/cli/records.mjs";
import { transform as csvParser } from "../pkg/vendor/csv-parse/api/index.js";

/** What csv-parse alone gives: `{ records }` or `{ error }` (its message). */
function byCsvParse(bytes) {
  const records = [];
  const error = csvParser({ ...CSV_OPTIONS }).parse(bytes, true, (cells) => records.push(cells), () => {});
  return error === undefined ? { records } : { error: error.message, lines: error.lines };
}

/** What eachRecord gives: `{ records }` or `{ error }`, and whether FastCsv read all of it. */
function byEachRecord(bytes) {
  const records = [];
  const offsets = [];
  let fast;
  try {
    fast = eachRecord(bytes, "t.csv", (cells, at) => {
      records.push(cells);
      offsets.push(at);
    });
  } catch (err) {
    return { error: err.message };
  }
  return { records, fast, offsets };
}

function same(text) {
  const bytes = Buffer.from(text, "utf8");
  const want = byCsvParse(bytes);
  const got = byEachRecord(bytes);
  if (want.error !== undefined) {
    assert.equal(got.error, `t.csv:${want.lines ?? "?"}: not valid CSV: ${want.error}`, JSON.stringify(text));
    return null;
  }
  assert.deepEqual(got.records, want.records, JSON.stringify(text));
  if (got.fast) {
    for (const [k, at] of got.offsets.entries()) assert.deepEqual(got.fast.recordAt(at), want.records[k], `${JSON.stringify(text)} record ${k}`);
  }
  return got.fast !== null;
}

test("FastCsv (with csv-parse taking over) gives csv-parse's records and errors for random CSVs", () => {
  let seed = 19;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pieces = ["a", "b", "12", " ", "\t", ",", ",", ",", '"', '""', "\n", "\n", "\r\n", "\r\n", "\r", "가나", "\u3000", "\u00a0", "\uFEFF", "x y"];
  let fast = 0;
  let total = 0;
  for (let i = 0; i < 40_000; i++) {
    const n = 1 + rnd(14);
    let text = rnd(8) === 0 ? "\uFEFF" : "";
    for (let k = 0; k < n; k++) text += pieces[rnd(pieces.length)];
    const read = same(text);
    if (read !== null) {
      total += 1;
      if (read) fast += 1;
    }
  }
  // Both readers are exercised: a guard against a FastCsv that always gives up.
  assert.ok(fast > total / 4 && fast < total, `FastCsv read ${fast} of ${total} valid CSVs itself`);
});

test("FastCsv reads well-formed files itself, quotes included, and leaves the rest to csv-parse", () => {
  const cases = [
    ["id,age\n1,30\n2,31\n", true],
    ["id,age\r\n1,30\r\n2,31", true],
    ["\uFEFFid,age\n 1 , 30 \n\n   \n2,\n", true],
    ['"아이디","연령"\r\n1,"여, ""VIP"""\r\n"2","서울\n강남"\r\n', true],
    ['id,note\n1,  "quoted"  \n2,"a\r\nb"\r\n', true],
    ["id,age\r1,30\r", false], // "\r" alone as the record delimiter
    ["id,age\r\n1,30\n2,31\r\n", false], // a "\n" alone in a "\r\n" file is part of a cell
    ['id,a,b\r\n1,"x"\n,y\r\n', false], // … or whitespace after a closing quote
    ['id,a\r\n"1",x\ny\r\n', false],
    ['id,note\n1,ab"c\n', null], // a quote inside a cell: csv-parse's error
    ['id,note\n1,"ab"c\n', null], // text after a closing quote: csv-parse's error
    ['id,note\n1,"open\n', null], // a quote never closed
  ];
  for (const [text, fast] of cases) assert.equal(same(text), fast, JSON.stringify(text));
  assert.deepEqual(byEachRecord(Buffer.from('id,note\n1,"a,b"\n2,c\n')).records, [["id", "note"], ["1", "a,b"], ["2", "c"]]);
  assert.deepEqual(byEachRecord(Buffer.from('id,note\n1,x\n2,"open\n')), { error: 't.csv:3: not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 3' });
});

test("FastCsv.recordAt reads a record back from its offset, as the second pass of a sync does", () => {
  const text = 'id,name\n5000000001,"Kim, ""J"""\n\n5000000002, 이 \r\n';
  const csv = new FastCsv(Buffer.from(text));
  const seen = [];
  assert.equal(
    csv.each((cells, at) => seen.push([cells, at])),
    -1,
  );
  assert.deepEqual(
    seen.map(([cells, at]) => [cells, at, csv.recordAt(at)]),
    [
      [["id", "name"], 0, ["id", "name"]],
      [["5000000001", 'Kim, "J"'], 8, ["5000000001", 'Kim, "J"']],
      [["5000000002", "이"], 33, ["5000000002", "이"]],
    ],
  );
});

test("splitLine cuts a line without quotes as split(\",\") and trim() would, for every kind of whitespace at a cell's edges", async () => {
  const { splitLine } = await import("../pkg/cli/records.mjs");
  const ws = [" ", "\t", "\v", "\f", "\r", "\u00a0", "\u1680", "\u2000", "\u2028", "\u202f", "\u3000", "\ufeff"];
  const bits = ["", "a", "1", "é", "한", "x y", "\u0001", "\u007f", "\u0085", ...ws, ...ws.map((w) => `${w}v${w}`)];
  const lines = ["", ",", ",,", " , ", "a", "a,", ",a", "5000000000,20,F,1970-01-10,0"];
  for (const a of bits) for (const b of bits) lines.push(`${a},${b}`, `${a}${b}`, `${b},x,${a}`);
  for (const line of lines) {
    const want = line.split(",").map((c) => c.trim());
    assert.deepEqual(splitLine(line), want.length === 1 && want[0] === "" ? null : want, JSON.stringify(line));
  }
});

test("cellValue reads a number column's cell as Number() of a decimal literal, other cells as text", async () => {
  const { cellValue, NUMBER } = await import("../pkg/cli/fields.mjs");
  const before = (text, number) => (number && NUMBER.test(text) && Number.isFinite(Number(text)) ? Number(text) : text);
  const texts = ["", "0", "00", "007", "7", "42", "-1", "+1", "1.5", ".5", "5.", "1e3", "1e400", "123456789012345", "999999999999999", "1234567890123456", "12345678901234567890", "0x10", "1_000", " 1", "1 ", "١٢", "NaN", "Infinity", "abc", "12a", "-0"];
  for (let k = 0; k < 500; k++) texts.push(String(Math.floor(Math.random() * 10 ** (1 + (k % 17)))));
  for (const text of texts) {
    assert.equal(cellValue(text, false), text);
    assert.ok(Object.is(cellValue(text, true), before(text, true)), JSON.stringify(text));
  }
});

test("rowReader's fingerprint is that of the JSON of Object.entries(fields), for any text; with `fields` it also sets them", async () => {
  const { rowReader, fieldsReader, fingerprintOf, jsonString } = await import("../pkg/cli/fields.mjs");
  const texts = ["", "F", "1970-01-10", "12", "007", "1.50", 'a"b', "a\\b", "tab\there", "\u0000", "\u001f", "\u007f", "é", "한", "😀", "\ud800", "x\udc00", "\u2028", "</script>", "'"];
  // As columnTypes marks them for the schema { age: "number", gender: "string", birthday: "string", vipLevel: "number" }.
  const columns = [
    { index: 1, header: "age", key: "age", number: true },
    { index: 2, header: "gender", key: "gender", number: false },
    { index: 3, header: "birthday", key: "birthday", number: false },
    { index: 4, header: "vipLevel", key: "vipLevel", number: true },
  ];
  const fp = rowReader(columns);
  const fieldsOf = fieldsReader(columns);
  for (const a of texts) {
    for (const b of texts) {
      for (const cells of [["1", a, b, a, b], ["1", b, "", a], ["1", "", "", "", ""], ["1"]]) {
        const fields = fieldsOf(cells);
        assert.equal(fp(cells), fingerprintOf(JSON.stringify(Object.entries(fields))), JSON.stringify(cells));
        const filled = {};
        assert.equal(fp(cells, filled), fp(cells));
        assert.deepEqual(filled, fields);
      }
    }
    assert.equal(jsonString(a), JSON.stringify(a));
  }
});

test("FastCsv reads a CSV of many 16 KB blocks (ASCII lines decoded a block at a time) as csv-parse does, across quotes, non-ASCII lines and line ends", () => {
  for (const eol of ["\n", "\r\n"]) {
    const lines = ["user_id,age,memo"];
    for (let k = 0; k < 12_000; k++) {
      if (k % 2500 === 7) lines.push(`${k},1,"quoted, ${k}"`);
      else if (k % 3001 === 11) lines.push(`${k},2,한글 ${k}`);
      else if (k % 1777 === 5) lines.push("");
      else lines.push(`${5_000_000_000 + k}, ${k % 60} ,memo ${k}`);
    }
    const text = lines.join(eol) + eol;
    assert.ok(text.length > 4 * 65536);
    assert.equal(same(text), true, "read by FastCsv itself");
    assert.equal(same(text.slice(0, -eol.length)), true, "no last line end");
  }
  // A "\n" alone in a "\r\n" file, deep in a block: left to csv-parse, which reads it all.
  const mixed = `a,b\r\n${"1,2\r\n".repeat(30_000)}3,4\n${"5,6\r\n".repeat(10)}`;
  assert.equal(same(mixed), false);
});

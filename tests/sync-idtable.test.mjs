// The sync command's id → fingerprint table (pkg/cli/idtable.mjs) against a Map, the structure it
// replaces: the same answers to every operation, the same size and the same iteration order, for
// ids kept as numbers (up to 15 digits), as strings (a leading zero, 18 digits, phone numbers)
// and fingerprints that fit its byte array or not (the "" and "?" markers, longer, non-Latin-1).
import assert from "node:assert/strict";
import { test } from "node:test";
import { IdTable, writeDigits } from "../pkg/cli/idtable.mjs";

test("IdTable answers as a Map of the same operations would", () => {
  const table = new IdTable();
  const map = new Map();
  let seed = 7;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const idOf = (k) => [String(5_000_000_000 + k), `0${k}`, String(10n ** 17n + BigInt(k)), `+82 10-${k}`, String(k + 1)][k % 5];
  const fps = ["", "?", "abcdefghijklmnop", "Q".repeat(20), "é한", "AAAAAAAAAAAAAAA-"];
  for (let i = 0; i < 100_000; i++) {
    const id = idOf(rnd(20_000));
    const op = rnd(10);
    if (op < 6) {
      const fp = fps[rnd(fps.length)];
      table.set(id, fp);
      map.set(id, fp);
    } else if (op < 8) {
      assert.equal(table.delete(id), map.delete(id), `delete ${id}`);
    } else {
      assert.equal(table.get(id), map.get(id), `get ${id}`);
      assert.equal(table.has(id), map.has(id), `has ${id}`);
      for (const fp of fps) assert.equal(table.same(id, fp), map.get(id) === fp, `same ${id} ${fp}`);
    }
    assert.equal(table.size, map.size);
  }
  assert.deepEqual([...table.keys()], [...map.keys()]);
  const entries = [];
  table.each((id, fp) => entries.push([id, fp]));
  assert.deepEqual(entries, [...map]);
  // An entry keeps its index: idAt and fpAt read back what set stored.
  const e = table.set("123456789012345", "abcdefghijklmnop");
  assert.equal(table.idAt(e), "123456789012345");
  assert.equal(table.fpAt(e), "abcdefghijklmnop");
  assert.equal(table.set("123456789012345", "?"), e);
  assert.equal(table.fpAt(e), "?");
});

test("IdTable.missingFrom gives the ids another table lacks, in order, as Map keys filtered by has would", () => {
  const a = new IdTable();
  const b = new IdTable();
  const ma = new Map();
  const mb = new Map();
  const idOf = (k) => [String(5_000_000_000 + k), `0${k}`, String(10n ** 17n + BigInt(k)), `+82 10-${k}`][k % 4];
  for (let k = 0; k < 20_000; k++) {
    const id = idOf(k);
    a.set(id, "abcdefghijklmnop");
    ma.set(id, 1);
    if (k % 3 !== 0) {
      b.set(id, "x");
      mb.set(id, 1);
    }
    if (k % 7 === 6) {
      b.delete(idOf(k - 1));
      mb.delete(idOf(k - 1));
    }
  }
  const want = [...ma.keys()].filter((id) => !mb.has(id));
  assert.ok(want.length > 6000);
  assert.deepEqual(a.missingFrom(b), want);
  assert.deepEqual(b.missingFrom(a), []);
});

test("IdTable.writeLines writes each entry's `<id>\\t<fingerprint>\\n` line as each() gives them, across chunks", () => {
  const table = new IdTable();
  const idOf = (k) => [String(5_000_000_000 + k), "1", "999999999999999", `0${k}`, String(10n ** 17n + BigInt(k)), `+82 10-${k}`][k % 6];
  const fps = ["abcdefghijklmnop", "?", "", "Q".repeat(20), "é한", "AAAAAAAAAAAAAAA-"];
  for (let k = 0; k < 200_000; k++) table.set(idOf(k), fps[k % fps.length]);
  for (let k = 0; k < 200_000; k += 7) table.delete(idOf(k));
  table.set(idOf(7), "reset0after0del0");
  let want = "";
  table.each((id, fp) => {
    want += `${id}\t${fp}\n`;
  });
  const parts = [];
  table.writeLines((bytes) => parts.push(Buffer.from(bytes)));
  assert.ok(parts.length > 1, "more than one chunk");
  assert.equal(Buffer.concat(parts).toString("utf8"), want);
});

test("writeDigits writes a whole number of 1 to 15 digits as String() does, with the bytes around it untouched", () => {
  const numbers = [1, 7, 9, 10, 99, 100, 12345678, 99_999_999, 100_000_000, 100_000_001, 5_000_000_000, 5_012_345_678, 123_456_789_012_345, 999_999_999_999_999];
  for (let k = 0; k < 2000; k++) numbers.push(Math.floor(Math.random() * 10 ** (1 + (k % 15))) || 1);
  for (const n of numbers) {
    const buf = Buffer.alloc(20, 0x2a);
    const end = writeDigits(buf, 2, n);
    assert.equal(buf.toString("latin1", 2, end), String(n));
    assert.equal(buf.toString("latin1", 0, 2), "**");
    assert.equal(buf.toString("latin1", end), "*".repeat(20 - end));
  }
});

test("IdTable.writeIdsJson and fpsJson write the JSON of the ids and fingerprints of entries as JSON.stringify does", () => {
  const table = new IdTable();
  const ids = ["5000000000", "1", "999999999999999", "0012", "100000000000000000", '+82 "10" \\ 한', "x\u2028y", "1000000000000000"];
  const fps = ["abcdefghijklmnop", "?", "", "Q".repeat(20), "é한", 'a"b\\c', "AAAAAAAAAAAAAAA-", "\u0001tab\there"];
  const entries = ids.map((id, k) => table.set(id, fps[k]));
  const parts = [];
  table.writeIdsJson(Int32Array.from(entries), (bytes) => parts.push(Buffer.from(bytes)));
  assert.equal(`[${Buffer.concat(parts).toString("utf8")}]`, JSON.stringify(ids));
  assert.equal(table.fpsJson(Int32Array.from(entries)).toString("utf8"), JSON.stringify(fps));
  // Plain base64url fingerprints only (the fast path), in another order, and none at all.
  const plain = [0, 6, 0];
  assert.equal(table.fpsJson(Int32Array.from(plain, (k) => entries[k])).toString("utf8"), JSON.stringify(plain.map((k) => fps[k])));
  assert.equal(table.fpsJson(new Int32Array(0)).toString("utf8"), "[]");
  // One that needs escapes first, then plain ones.
  for (const first of [3, 4, 5, 7]) {
    const some = [first, 0, 6];
    assert.equal(table.fpsJson(Int32Array.from(some, (k) => entries[k])).toString("utf8"), JSON.stringify(some.map((k) => fps[k])));
  }
  // Many ids: written in more than one chunk, each part a whole id.
  const many = new IdTable();
  const manyIds = Array.from({ length: 150_000 }, (_, k) => (k % 5 === 4 ? `p-${k}` : String(5_000_000_000 + k)));
  const manyEntries = Int32Array.from(manyIds, (id) => many.set(id, "abcdefghijklmnop"));
  const chunks = [];
  many.writeIdsJson(manyEntries, (bytes) => chunks.push(Buffer.from(bytes)));
  assert.ok(chunks.length > 1, "more than one chunk");
  assert.equal(`[${Buffer.concat(chunks).toString("utf8")}]`, JSON.stringify(manyIds));
});

test("IdTable.isIdAt says whether a text is exactly an entry's id, as idAt(e) === text would", () => {
  const table = new IdTable();
  const ids = ["5000000000", "1", "0012", "+82 10", "123456789012345", "1234567890123456"];
  const entries = ids.map((id) => table.set(id, "f"));
  const texts = [...ids, "12", "5000000000.0", "5e9", "05000000000", " 1", "", "+82 10 ", "123456789012346", "1234567890123457"];
  for (const e of entries) for (const text of texts) assert.equal(table.isIdAt(e, text), table.idAt(e) === text, `${table.idAt(e)} vs ${text}`);
});

test("IdTable holds ids in sequence, in strides of 16 and of 2^20 as a Map would, through growth and deletes", () => {
  for (const stride of [1, 16, 2 ** 20]) {
    const table = new IdTable(); // grows from 1,024 entries
    const map = new Map();
    for (let k = 0; k < 40_000; k++) {
      const id = String(1 + k * stride);
      table.set(id, `f${k % 97}`);
      map.set(id, `f${k % 97}`);
      if (k % 5 === 4) {
        const gone = String(1 + (k - 2) * stride);
        assert.equal(table.delete(gone), map.delete(gone));
      }
    }
    assert.equal(table.size, map.size);
    for (let k = 0; k < 40_001; k++) {
      const id = String(1 + k * stride);
      assert.equal(table.get(id), map.get(id), id);
    }
    assert.deepEqual([...table.keys()], [...map.keys()]);
  }
});

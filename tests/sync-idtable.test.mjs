// The sync command's id → fingerprint table (pkg/cli/idtable.mjs) against a Map, the structure it
// replaces: the same answers to every operation, the same size and the same iteration order, for
// ids kept as numbers (up to 15 digits), as strings (a leading zero, 18 digits, phone numbers)
// and fingerprints that fit its byte array or not (the "" and "?" markers, longer, non-Latin-1).
import assert from "node:assert/strict";
import { test } from "node:test";
import { IdTable } from "../pkg/cli/idtable.mjs";

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

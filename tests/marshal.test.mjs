// The JS half of the edge (pkg-template/pack.js): every caller value is read and packed in
// JS before a call enters wasm. The packed format is exact, a Proxy reads like its target, a
// Map like an object, and what is not plain data is named, never dropped.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TalkChannelClient, ValidationError } from "../pkg/node.js";
import { types } from "node:util";
import vm from "node:vm";
import { CHUNK, __setIsMap, __setMaxKeys, pack } from "../pkg/pack.js";
import { parseDated } from "../pkg/shared.js";

/** A packed chunk's tokens: a call's only chunk is a string, each of several UTF-8 bytes. */
/**
 * A chunk's tokens with each `O` written out as the `o<count>` and keys it stands for (the keys
 * of the last `o` user, or the last `o` fields of a user, in the chunk), as Rust's reader takes
 * them: the tokens packValue writes.
 * @param {string} text
 */
function expandShapes(text) {
  const t = text.split("\0");
  const out = [];
  const last = [null, null];
  let p = 0;
  const value = () => {
    const tok = t[p++];
    out.push(tok);
    if (tok[0] === "o") {
      for (let n = Number(tok.slice(1)); n > 0; n--) {
        out.push(t[p++]);
        value();
      }
    } else if (tok[0] === "a") for (let n = Number(tok.slice(1)); n > 0; n--) value();
  };
  const member = (level, key) => (level === 0 && key === "sfields" && (t[p] === "O" || t[p][0] === "o") ? object(1) : value());
  const object = (level) => {
    const tok = t[p];
    if (tok === "O") {
      p++;
      assert.ok(last[level], `an O at ${p - 1} with no o before it`);
      out.push(`o${last[level].length}`);
      for (const key of last[level]) {
        out.push(key);
        member(level, key);
      }
    } else if (tok[0] === "o") {
      p++;
      out.push(tok);
      const keys = [];
      for (let n = Number(tok.slice(1)); n > 0; n--) {
        const key = t[p++];
        keys.push(key);
        out.push(key);
        member(level, key);
      }
      last[level] = keys;
    } else value();
  };
  while (p < t.length) object(0);
  return out.join("\0");
}
const chunkText = (c) => expandShapes(typeof c === "string" ? c : new TextDecoder().decode(c));
const rawChunk = (c) => (typeof c === "string" ? c : new TextDecoder().decode(c));

const CH = "_ZeUTxl";

function client() {
  const sent = [];
  const fetch = async (_url, init) => {
    const body = new TextDecoder().decode(init.body);
    sent.push(body);
    const n = JSON.parse(body).users.length;
    return Response.json({ file_id: 1, request_count: n, success_count: n });
  };
  return { sent, kakao: new TalkChannelClient({ restApiKey: "rest0api0key0for0marshal0tests", fetch }) };
}

const add = (kakao, users) => kakao.addCustomerFileUsers({ fileId: 1, channelPublicId: CH, userType: "app", users });

describe("pack: the format", () => {
  test("every kind of value, exactly", () => {
    const signal = new AbortController().signal;
    const f = () => {};
    const { text, handles } = pack([{ a: 1.5, b: [undefined, null, true, false], c: "x\0y", d: 9n, e: f, s: signal }, new Date(0)]);
    assert.equal(
      text,
      ["2", "o6", "sa", "n1.5", "sb", "a4", "u", "z", "t", "f", "sc", 'e"x\\u0000y"', "sd", "b9", "se", "hf0", "ss", "hs1", "xa Date"].join("\0"),
    );
    assert.deepEqual(handles, [f, signal]);
  });

  test("a Map with string keys is an object; other non-plain values are named", () => {
    class Customer {
      get age() {
        return 30;
      }
    }
    const { text } = pack([new Map([["age", 3]]), new Customer(), Object.create({ age: 1 }), new Set([1]), new Map([[1, 2]])]);
    assert.equal(
      text,
      ["5", "o1", "sage", "n3", "xan instance of Customer", "xan object with a prototype", "xa Set", "xa Map with a key that is not a string"].join("\0"),
    );
  });

  test("a cycle and deep nesting are named, not followed", () => {
    const a = {};
    a.self = a;
    let deep = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    assert.match(pack([a]).text, /xa cycle/);
    assert.match(pack([deep]).text, /xan object nested too deeply/);
  });

  test("the users of an add call go in chunks of 2,000; a Proxy reads like its target", () => {
    const users = Array.from({ length: CHUNK * 2 + 1 }, (_, i) => ({ id: i + 1 }));
    const direct = pack([{ users }], "users");
    const proxied = pack([{ users: new Proxy(users, {}) }], "users");
    assert.equal(direct.text, "1\0o1\0susers\0c4001");
    assert.deepEqual(direct.chunks.map((c) => chunkText(c).split("\0").length), [CHUNK * 3, CHUNK * 3, 3]);
    assert.deepEqual(proxied, direct);
  });

  test("users packed in chunks are the tokens packValue writes, whatever the keys from user to user", () => {
    __setMaxKeys(30);
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    const users = [
      { id: 1, fields: { a: 1, b: "x" } },
      { id: 2, fields: { a: 2, c: "y" } },
      { fields: { a: 1, b: "x" }, id: 3 },
      { id: 4, fields: { a: 1, "k\uD800": 1 } },
      { id: 5, "x\uD800": 1 },
      { id: 6, fields: { a: [1, 2], b: null, c: undefined, d: 5n } },
      { id: 7, fields: new Map([["a", 1]]) },
      { id: 8, fields: { a: "x\0y", b: "\uD800", c: NaN } },
      { id: 9, fields: many },
      { id: 10, fields: many, more: { fields: { a: 1 } } },
      { id: 11, fields: { a: 1, b: "x" } },
      new Date(0),
      "12",
    ];
    const generic = pack([users]).text;
    const head = `1\0a${users.length}\0`;
    assert.ok(generic.startsWith(head));
    const { chunks } = pack([{ users }], "users");
    assert.equal(chunks.length, 1);
    assert.equal(chunkText(chunks[0]), generic.slice(head.length));
  });

  test("in a chunk, a user or fields with the keys of the last one written as `o` is `O` and its values; never after a Map, fields packed apart, or a user dropped for a key's flaw", () => {
    const nullProto = Object.assign(Object.create(null), { b: 6 });
    const users = [
      { id: 1, fields: { a: 1 } },
      { id: 2, fields: { a: 2 } },
      { id: 3, fields: { b: 1 }, "k\uD800": 1 },
      { id: 4, fields: { b: 2 } },
      { id: 5, fields: { b: 3 } },
      new Map([["id", 6], ["fields", { b: 4 }]]),
      { id: 7, fields: { b: 5 } },
      { id: 8, fields: nullProto },
      { id: 9, fields: { b: 7 } },
    ];
    const { chunks } = pack([{ users }], "users");
    assert.equal(
      rawChunk(chunks[0]),
      [
        "o2\0sid\0n1\0sfields\0o1\0sa\0n1",
        "O\0n2\0O\0n2",
        // Dropped: the fields' keys `b` never reach Rust, so the next `b` fields are written whole.
        '!surrogatekey "k\\ud800"',
        "o2\0sid\0n4\0sfields\0o1\0sb\0n2",
        "O\0n5\0O\0n3",
        "o2\0sid\0n6\0sfields\0o1\0sb\0n4",
        "o2\0sid\0n7\0sfields\0o1\0sb\0n5",
        "O\0n8\0o1\0sb\0n6",
        "O\0n9\0o1\0sb\0n7",
      ].join("\0"),
    );
    const generic = pack([users]).text;
    assert.equal(chunkText(chunks[0]), generic.slice(`1\0a${users.length}\0`.length));
    // Each chunk starts afresh: its first user is written whole.
    const many = Array.from({ length: CHUNK + 1 }, (_, i) => ({ id: i + 1 }));
    const two = pack([{ users: many }], "users").chunks.map(rawChunk);
    assert.ok(two[0].startsWith("o1\0sid\0n1\0O\0n2\0"));
    assert.equal(two[1], `o1\0sid\0n${CHUNK + 1}`);
  });

  test("a hole ends the users wherever it is: its chunk is the last (a string when it is among the first CHUNK users), nothing after it read", () => {
    for (const at of [10, CHUNK + 100]) {
      const users = Array.from({ length: CHUNK + 500 }, (_, i) => ({ id: i + 1 }));
      delete users[at];
      let readAfter = 0;
      Object.defineProperty(users, at + 1, { get: () => ({ id: readAfter++ }), enumerable: true, configurable: true });
      const { chunks, text } = pack([{ users }], "users");
      assert.equal(readAfter, 0);
      assert.equal(chunks.length, at < CHUNK ? 1 : 2);
      assert.equal(typeof chunks[0], at < CHUNK ? "string" : "object");
      assert.ok(chunkText(chunks.at(-1)).endsWith(`\0o1\0sid\0n${at}\0!hole ${CHUNK + 500}`), at);
      assert.ok(text.includes(`c${at + 1}`), text);
    }
  });

  test("a chunk's first user packed by any path starts the chunk, with no NUL before it, and the users after it follow one NUL each", () => {
    const firsts = [new Date(0), "1", { "k\uD800": 1 }, { id: 1, fields: { "k\uD800": 1 } }, {}, null, [1], new Map([["id", 1]])];
    for (const first of firsts) {
      const users = [first, { id: 2, fields: { a: 1 } }, { id: 3, fields: { a: 1 } }];
      const generic = pack([users]).text;
      const head = `1\0a${users.length}\0`;
      const { chunks } = pack([{ users }], "users");
      assert.equal(chunkText(chunks[0]), generic.slice(head.length), String(first));
      assert.ok(chunkText(chunks[0]).endsWith("\0o2\0sid\0n3\0sfields\0o1\0sa\0n1"));
    }
    // A hole first: the chunk is its token alone.
    const sparse = [];
    sparse[1] = { id: 1 };
    const { chunks } = pack([{ users: sparse }], "users");
    assert.equal(chunkText(chunks[0]), "!hole 2");
  });

  test("users or fields that are Maps with their prototype swapped to Object.prototype are read as their entries in chunks too, never as {}", () => {
    const swapped = (entries) => Object.setPrototypeOf(new Map(entries), Object.prototype);
    const users = [
      { id: 1, fields: swapped([["age", 30]]) },
      swapped([["id", 2], ["fields", { a: 1 }]]),
      { id: 3, fields: {} },
    ];
    const generic = pack([users]).text;
    const head = `1\0a${users.length}\0`;
    assert.equal(generic, `${head}o2\0sid\0n1\0sfields\0o1\0sage\0n30\0o2\0sid\0n2\0sfields\0o1\0sa\0n1\0o2\0sid\0n3\0sfields\0o0`);
    for (const check of [undefined, types.isMap]) {
      __setIsMap(check);
      try {
        const { chunks } = pack([{ users }], "users");
        assert.equal(chunkText(chunks[0]), generic.slice(head.length), `isMap ${check ? "set" : "unset"}`);
      } finally {
        __setIsMap(undefined);
      }
    }
  });

  test("lone surrogates in chunk values: each marked alone, never paired with a neighbour across a NUL, the rest of the chunk as the generic tokens", () => {
    // packUsers checks a chunk's well-formedness once, then marks each ill-formed value: a value
    // ending in a high surrogate followed by one starting with a low surrogate stays two flaws.
    const users = [
      { id: "1", fields: { a: "x\uD800", b: "\uDC00y" } },
      { id: "2\uDBFF", fields: { a: "\uDFFF" } },
      { id: "3", fields: { a: "😀", b: "s\uD800" } },
      { id: "\uDC00", fields: "s" },
      { id: "5", fields: { a: "ok", b: "x\0\uD800" } },
    ];
    const generic = pack([users]).text;
    const head = `1\0a${users.length}\0`;
    assert.equal(
      generic.slice(head.length),
      "o2\0sid\0s1\0sfields\0o2\0sa\0!surrogate 1 D800 2\0sb\0!surrogate 0 DC00 2\0o2\0sid\0!surrogate 1 DBFF 2\0sfields\0o1\0sa\0!surrogate 0 DFFF 1\0o2\0sid\0s3\0sfields\0o2\0sa\0s😀\0sb\0!surrogate 1 D800 2\0o2\0sid\0!surrogate 0 DC00 1\0sfields\0ss\0o2\0sid\0s5\0sfields\0o2\0sa\0sok\0sb\0!surrogate 2 D800 3",
    );
    const { chunks } = pack([{ users }], "users");
    assert.equal(chunkText(chunks[0]), generic.slice(head.length));
    const third = users.slice(2, 3);
    assert.equal(chunkText(pack([{ users: third }], "users").chunks[0]), "o2\0sid\0s3\0sfields\0o2\0sa\0s😀\0sb\0!surrogate 1 D800 2");
  });

  test("a sparse array stops at its first hole; a lone surrogate and an object with such a key are marked; keys past the limit are not read", () => {
    // What client.js tells pack.js once the wasm is loaded (this is the ESM copy: Node's entry
    // bundles its own).
    __setMaxKeys(30);
    const ids = ["1"];
    ids[4294967294] = "x";
    assert.equal(pack([ids]).text, ["1", "a2", "s1", "!hole 4294967295"].join("\0"));
    assert.equal(pack([["a\uD800b", "\uDC00", "😀"]]).text, ["1", "a3", "!surrogate 1 D800 3", "!surrogate 0 DC00 1", "s😀"].join("\0"));
    assert.equal(pack([{ "k\uD800": 1 }]).text, ["1", '!surrogatekey "k\\ud800"'].join("\0"));
    let reads = 0;
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const get = (t, k) => {
      reads++;
      return t[k];
    };
    const counted = new Proxy(many, { get });
    const text = pack([counted]).text;
    assert.ok(text.startsWith("1\0o31\0sk0\0n0"), text.slice(0, 20));
    assert.equal(reads, 31, "values past the 31st key are not read");
    assert.ok(pack([new Map(Object.entries(many))]).text.startsWith("1\0o31\0"));
  });

  test("a throwing getter or Proxy trap throws the caller's own error", () => {
    const boom = new Error("boom");
    assert.throws(() => pack([{ get a() { throw boom; } }]), (e) => e === boom);
    assert.throws(() => pack([new Proxy({}, { ownKeys() { throw boom; } })]), (e) => e === boom);
  });
});

describe("bodies built from packed users", () => {
  test("numbers bit for bit, strings with quotes and non-ASCII, bigints; a Map of fields", async () => {
    const users = [
      { id: 9007199254740991, fields: { 구매금액: 1234.5, age: -0, point: 1e21, gender: 'VIP "남" \\ \n' } },
      { id: 9223372036854775807n },
      { id: "42", fields: new Map([["age", 7]]) },
    ];
    const { sent, kakao } = client();
    await add(kakao, users);
    assert.equal(
      sent[0],
      '{"file_id":1,"channel_public_id":"_ZeUTxl","user_type":"app","users":[' +
        '{"id":"9007199254740991","field":{"구매금액":1234.5,"연령":0,"포인트":1000000000000000000000,"성별":"VIP \\"남\\" \\\\ \\n"}},' +
        '{"id":"9223372036854775807","field":{}},{"id":"42","field":{"연령":7}}]}',
    );
  });

  test("a NUL inside a value survives the packing", async () => {
    const { sent, kakao } = client();
    await add(kakao, [{ id: "1", fields: { gender: "a\0b" } }]);
    assert.match(sent[0], /"성별":"a\\u0000b"/);
  });

  for (const [name, users, field, rule] of [
    ["a boolean field value", [{ id: "1" }, { id: "2", fields: { age: true } }], "users[1].fields.age", "fields.value_type"],
    ["an unknown user key", [{ id: "1", name: "x" }], "users[0].name", "params.unknown_key"],
    ["a null user", [{ id: "1" }, null], "users[1]", "params.type"],
    ["fields as an array", [{ id: "1", fields: [] }], "users[0].fields", "params.type"],
    ["fields as a Date", [{ id: "1", fields: new Date() }], "users[0].fields", "params.type"],
    ["a Date value", [{ id: "1", fields: { 가입일: new Date() } }], "users[0].fields.가입일", "fields.value_type"],
    ["an id of the wrong type", [{ id: true }], "users[0].id", "user_id.type"],
    ["NaN", [{ id: "1", fields: { age: NaN } }], "users[0].fields.age", "fields.value_type"],
    ["a duplicate id", [{ id: 5 }, { id: "5" }], "users[1].id", "users.duplicate_id"],
    ["a bad id", [{ id: "1" }, { id: "12a" }], "users[1].id", "user_id.format"],
  ]) {
    test(`${name}: a ValidationError naming the element`, async () => {
      const { kakao, sent } = client();
      const err = await add(kakao, users).then(() => null, (e) => e);
      assert.ok(err instanceof ValidationError, `${name}: ${err}`);
      assert.deepEqual([err.field, err.rule], [field, rule]);
      assert.equal(sent.length, 0);
    });
  }
});

describe("the Map check without a throw (Node's util.types.isMap, set by the Node entry)", () => {
  // Values on either side of the line: the Map getter's brand check decides what is a Map, and
  // isMap must decide the same for each, or pack would read a Map as an object or the reverse.
  const values = () => {
    const swapped = new Map([["age", 1]]);
    Object.setPrototypeOf(swapped, Object.prototype);
    const bare = new Map([["gender", "F"]]);
    Object.setPrototypeOf(bare, null);
    class Fields extends Map {}
    return [
      new Map([["a", 1]]),
      vm.runInNewContext('new Map([["b", 2]])'),
      swapped,
      bare,
      new Fields([["c", 3]]),
      new Proxy(new Map([["d", 4]]), {}),
      Object.create(Map.prototype),
      { size: 1, entries: () => [["e", 5]][Symbol.iterator]() },
      new WeakMap(),
      vm.runInNewContext("({ f: 6 })"),
      [new Map([["g", 7]])],
    ];
  };

  test("pack gives the same text with the check as with the getter alone, for every kind of value", () => {
    const before = pack(values()).text;
    __setIsMap(types.isMap);
    try {
      assert.equal(pack(values()).text, before);
    } finally {
      __setIsMap(undefined);
    }
    // A Map with its prototype swapped is still a Map: its entries are read, never dropped.
    assert.match(before, /^11\0o1\0sa\0n1\0o1\0sb\0n2\0o1\0sage\0n1\0o1\0sgender\0sF\0o1\0sc\0n3\0/);
  });

  test("through the client (the Node entry sets it): params as a Map with a swapped prototype, or of another realm, are read as their entries", async () => {
    const urls = [];
    const fetch = async (url) => {
      urls.push(url);
      return Response.json({ user_id: 1234, channels: [{ channel_uuid: "@x", channel_public_id: CH, relation: "ADDED", created_at: "2020-04-18T03:17:05Z", updated_at: "2020-04-18T03:17:05Z" }] });
    };
    const kakao = new TalkChannelClient({ adminKey: "admin0key0for0marshal0tests00000", fetch });
    const swapped = new Map([["channelIds", [CH]], ["userId", "1234"]]);
    Object.setPrototypeOf(swapped, Object.prototype);
    const r = await kakao.checkChannelRelationship(swapped);
    await kakao.checkChannelRelationship(vm.runInNewContext(`new Map([["channelIds", ["${CH}"]], ["userId", "1234"]])`));
    assert.equal(r.channels[0].createdAt.getTime(), Date.UTC(2020, 3, 18, 3, 17, 5));
    assert.deepEqual(urls, Array(2).fill(`https://kapi.kakao.com/v2/api/talk/channels?target_id_type=user_id&target_id=1234&channel_ids=${CH}`));
  });
});

describe("parseDated: JSON.parse and one walk make the Dates (what a reviver made before)", () => {
  const reviver = (key, value) => (typeof value === "number" && (key === "createdAt" || key === "updatedAt") ? new Date(value) : value);
  const texts = [
    '{"channels":[{"createdAt":1587179825000,"updatedAt":1587179826000,"relation":"ADDED"}],"userId":"1"}',
    '{"a":{"b":[[{"createdAt":0}],{"updatedAt":-1}]},"createdAt":"2020-01-01","updatedAt":null,"other":5}',
    '[{"createdAt":1},2,"x",null,[{"updatedAt":3}]]',
    '{"__proto__":{"createdAt":7},"constructor":1}',
    '"text"',
    "null",
    "12",
  ];
  for (const text of texts) {
    test(`the same value as JSON.parse with the reviver: ${text.slice(0, 40)}`, () => {
      const got = parseDated(text);
      const want = JSON.parse(text, reviver);
      assert.deepEqual(got, want);
      if (got !== null && typeof got === "object") assert.deepEqual(Object.getPrototypeOf(got), Object.getPrototypeOf(want));
    });
  }

  test("a `__proto__` key stays an own key; an enumerable key added to Object.prototype is not walked", () => {
    Object.prototype.pollutedAt = 1;
    try {
      const got = parseDated('{"__proto__":{"updatedAt":9}}');
      assert.ok(Object.hasOwn(got, "__proto__"));
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
      const own = Object.getOwnPropertyDescriptor(got, "__proto__")?.value;
      assert.ok(own.updatedAt instanceof Date);
      assert.equal(own.updatedAt.getTime(), 9);
      assert.equal(Object.keys(got).length, 1);
    } finally {
      delete Object.prototype.pollutedAt;
    }
  });
});

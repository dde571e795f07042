// Used by the wasm glue; not part of the public API.
//
// Hands a whole `users` array of an add call to Rust in one string instead of one JS↔wasm
// crossing per user, key and value. Only the common, well-formed shape takes this path: any
// user that is not a plain `{ id, fields? }` object, an id that is not a number, string or
// bigint, a field value that is not a number or string, a NUL anywhere, or a throwing getter
// returns `undefined`, and Rust reads the array element by element instead (which reports
// the exact field and rule). Nothing is validated here: Rust validates both paths alike.
//
// Format: `[text, numbers]`. `text` is tokens joined by NUL: the user count, then per user
// the id ("n" for the next number of `numbers`, "s" + string, "b" + decimal bigint), the field
// count ("-" when `fields` is absent), and per field its key and value ("n" or "s" + string).
// `numbers` (a Float64Array) holds the numbers in order, bit for bit.
export function __packUsers(users) {
  try {
    if (!Array.isArray(users)) return undefined;
    const out = [String(users.length)];
    const numbers = [];
    for (let i = 0; i < users.length; i++) {
      const u = users[i];
      if (u === null || typeof u !== "object" || Array.isArray(u)) return undefined;
      const keys = Object.keys(u);
      for (let k = 0; k < keys.length; k++) {
        if (keys[k] !== "id" && keys[k] !== "fields") return undefined;
      }
      const id = u.id;
      const fields = u.fields;
      if (typeof id === "number") {
        out.push("n");
        numbers.push(id);
      } else if (typeof id === "string") {
        if (id.includes("\0")) return undefined;
        out.push(`s${id}`);
      } else if (typeof id === "bigint") out.push(`b${id.toString(10)}`);
      else return undefined;
      if (fields === undefined) {
        out.push("-");
        continue;
      }
      if (fields === null || typeof fields !== "object" || Array.isArray(fields)) return undefined;
      const entries = Object.entries(fields);
      out.push(String(entries.length));
      for (let f = 0; f < entries.length; f++) {
        const [key, value] = entries[f];
        if (key.includes("\0")) return undefined;
        out.push(key);
        if (typeof value === "number") {
          out.push("n");
          numbers.push(value);
        } else if (typeof value === "string") {
          if (value.includes("\0")) return undefined;
          out.push(`s${value}`);
        } else return undefined;
      }
    }
    return [out.join("\0"), new Float64Array(numbers)];
  } catch {
    return undefined;
  }
}

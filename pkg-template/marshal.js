// Used by the wasm glue; not part of the public API. The two hot paths of the wasm edge, each
// one JS↔wasm crossing instead of dozens: packing the users of an add call, and one HTTP
// attempt.
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
// One id's token ("n" + the next number, "s" + string, "b" + decimal bigint); false for any
// other type or a NUL in a string.
function packId(id, out, numbers) {
  if (typeof id === "number") {
    out.push("n");
    numbers.push(id);
  } else if (typeof id === "string") {
    if (id.includes("\0")) return false;
    out.push(`s${id}`);
  } else if (typeof id === "bigint") out.push(`b${id.toString(10)}`);
  else return false;
  return true;
}

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
      const fields = u.fields;
      if (!packId(u.id, out, numbers)) return undefined;
      if (fields === undefined) {
        out.push("-");
        continue;
      }
      if (fields === null || typeof fields !== "object" || Array.isArray(fields)) return undefined;
      // Object.keys then [[Get]]: what Object.entries does, without an array per field.
      const names = Object.keys(fields);
      out.push(String(names.length));
      for (let f = 0; f < names.length; f++) {
        const key = names[f];
        const value = fields[key];
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

function abortReason(signal) {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error("This operation was aborted");
  e.name = "AbortError";
  return e;
}

function quietly(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

// One HTTP attempt, bounded by `timeoutMs` (headers and body, through an AbortController whose
// signal goes to `fetch`) and by the caller's `signal` (or undefined). Never rejects; resolves
// to [0, status, body, retryAfter | undefined], [1, reason] (the caller aborted), [2] (timed
// out) or [3, error] (fetch failed, or did not give a Response). Nothing is validated here.
export async function __attempt(fetch, url, method, authorization, body, timeoutMs, signal) {
  try {
    if (signal !== undefined && signal.aborted === true) return [1, abortReason(signal)];
    if (typeof AbortController !== "function") return [3, "AbortController is missing"];
    const controller = new AbortController();
    const own = controller.signal;
    let reject;
    const aborted = new Promise((_resolve, rej) => {
      reject = rej;
    });
    // The timer and the caller's signal abort the request (a fetch that honours its signal
    // stops) and settle `aborted` (so that one that does not is given up on all the same).
    const abort = () => {
      try {
        controller.abort();
      } finally {
        reject(new Error("aborted"));
      }
    };
    const timer = quietly(() => setTimeout(abort, timeoutMs));
    if (signal !== undefined) quietly(() => signal.addEventListener("abort", abort));
    const classify = (err) =>
      signal !== undefined && signal.aborted === true ? [1, abortReason(signal)] : own.aborted === true ? [2] : [3, err];
    try {
      const headers = { Authorization: authorization };
      const init = { method };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = body;
      }
      init.headers = headers;
      init.signal = own;
      let response;
      try {
        response = await Promise.race([fetch(url, init), aborted]);
      } catch (err) {
        return classify(err);
      }
      const status = quietly(() => response.status);
      if (typeof status !== "number" || !(status >= 100 && status <= 599)) {
        return [3, "fetch resolved to something that is not a Response (no numeric status)"];
      }
      const retryAfter = quietly(() => {
        const v = response.headers.get("retry-after");
        return typeof v === "string" ? v : undefined;
      });
      const text = quietly(() => response.text);
      if (typeof text !== "function") return classify("text is not a function");
      let out;
      try {
        out = await Promise.race([text.call(response), aborted]);
      } catch (err) {
        return classify(err);
      }
      return [0, Math.trunc(status), typeof out === "string" ? out : "", retryAfter];
    } finally {
      if (typeof clearTimeout === "function") quietly(() => clearTimeout(timer));
      if (signal !== undefined) quietly(() => signal.removeEventListener("abort", abort));
    }
  } catch (err) {
    return [3, err];
  }
}

function withDates(user) {
  for (const c of user.channels) {
    if (c.createdAt !== null) c.createdAt = new Date(c.createdAt);
    if (c.updatedAt !== null) c.updatedAt = new Date(c.updatedAt);
  }
  return user;
}

// A `UserChannelRelations` from the JSON Rust wrote (dates as epoch milliseconds or null).
export function __userRelations(json) {
  return withDates(JSON.parse(json));
}

// A `MultiRelations` from the JSON Rust wrote.
export function __multiRelations(json) {
  const r = JSON.parse(json);
  r.users.forEach(withDates);
  return r;
}

// A list of user ids (`userIds` of a multi check or a delete) in one crossing: `[text,
// numbers]` as for `__packUsers`, without the field tokens; `undefined` for an id that is not
// a number, string or bigint, a NUL in a string, or anything unexpected.
export function __packIds(ids) {
  try {
    if (!Array.isArray(ids)) return undefined;
    const out = [String(ids.length)];
    const numbers = [];
    for (let i = 0; i < ids.length; i++) {
      if (!packId(ids[i], out, numbers)) return undefined;
    }
    return [out.join("\0"), new Float64Array(numbers)];
  } catch {
    return undefined;
  }
}

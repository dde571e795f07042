// The client's logger (`__log`, called by src/wasm/logger.rs) and what client.js reports of the
// `logger` option (`loggerShape`, the wasm holds the rule); not part of the public API.

// No imports: wasm-bindgen copies this file alone as a snippet.
const LOGGER_METHODS = ["debug", "info", "warn", "error"];

/**
 * Is `logger` pino (called `(data, message)`)? By pino's shape: `child` and `bindings`
 * methods, a numeric `levelVal` and `levels.values`. winston and console have no `levelVal`.
 * @param {any} logger
 */
function isPino(logger) {
  return (
    typeof logger.child === "function" &&
    typeof logger.bindings === "function" &&
    typeof logger.levelVal === "number" &&
    logger.levels !== null &&
    typeof logger.levels === "object" &&
    logger.levels.values !== null &&
    typeof logger.levels.values === "object"
  );
}

/**
 * What the client needs of a `logger` option, as plain data (JSON) for the wasm, which holds the
 * rule: which of the four methods are functions (own or inherited), and whether it is pino.
 * Undefined when `logger` is not an object or a function. Throws what the caller's getters throw.
 * @param {any} logger the caller's value, read as it is (a getter may throw)
 * @returns {string | undefined}
 */
export function loggerShape(logger) {
  if (logger === null || (typeof logger !== "object" && typeof logger !== "function")) return undefined;
  const functions = LOGGER_METHODS.filter((m) => typeof logger[m] === "function");
  return JSON.stringify({ functions, pino: isPino(logger) });
}

/**
 * `logger[level](message, data)`, or `logger[level](data, message)` when `style` is
 * "data-first" (pino); `console` when `logger` is undefined. Never throws.
 * @param {any} logger
 * @param {string} style
 * @param {string} level
 * @param {string} message
 * @param {string} data
 */
export function __log(logger, style, level, message, data) {
  try {
    const target = logger === undefined ? console : logger;
    const method = target[level];
    if (typeof method !== "function") return;
    const fields = JSON.parse(data);
    const p = style === "data-first" ? method.call(target, fields, message) : method.call(target, message, fields);
    if (p !== null && typeof p === "object" && typeof p.catch === "function") p.catch(() => {});
  } catch {
    // A logger that throws must not break the call it logs.
  }
}

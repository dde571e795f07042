// The `kakao-talk-channel` command line read: the commands, their flags and their checks
// (usage errors, exit 2), and the help text. cli.mjs runs what they ask for.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "./common.mjs";
import { stateName } from "./state.mjs";

/** @import { MaxDelete, SyncOptions } from "./common.mjs" */
/**
 * What parseFlags found: a bare command, the `files` command's options, or a sync run's.
 * @typedef {{ usage?: undefined; help?: undefined; version?: undefined; command?: undefined }} NoCommand
 * @typedef {Omit<NoCommand, "usage"> & { usage: true }
 *   | Omit<NoCommand, "help"> & { help: true }
 *   | Omit<NoCommand, "version"> & { version: true }
 *   | Omit<NoCommand, "command"> & { command: "files"; channel: string }
 *   | NoCommand & SyncOptions} Command
 */
/** @typedef {({ kind: "option"; name: string; rawName: string } | { kind: "positional" | "option-terminator" })[]} Tokens */

/** Without --max-delete a run may delete 10% of the users known to be in the file, or 10, whichever is more. */
const DEFAULT_MAX_DELETE = { percent: 10, atLeast: 10 };

export const HELP = `Usage: kakao-talk-channel sync --csv FILE --channel ID --file-id N [options]
       kakao-talk-channel files --channel ID
       kakao-talk-channel --version | --help

files: lists the channel's customer files, one line each (tab-separated): file_id, status,
updated_at, name, keys of its schema.

Makes a Kakao customer file hold exactly the rows of a CSV: adds new and changed rows,
deletes rows that left the CSV (known from the state file of the previous run).

Required:
  --csv FILE           UTF-8 CSV (a BOM is fine) with a header row
  --channel ID         the channel's public id, e.g. _ZeUTxl
  --file-id N          the customer file (its schema is read with listCustomerFiles)

Options:
  --user-type TYPE     app (service user ids, default) or phone (phone numbers)
  --id-column NAME     the column holding the id (default: the first column)
  --columns LIST       columns to send as fields, comma-separated, each NAME or NAME=KEY
                       (KEY: a schema key, Korean or English alias); default: every other
                       column, its header read as the key
  --max-delete N|P%    refuse a run deleting more users than N, or than P% of the users
                       known to be in the file (default: 10%, or 10 users if that is more)
  --state-dir DIR      where the state of each file is kept, one per channel, file id and
                       user type, whatever the CSV is called (default: .kakao-sync/ in the
                       CSV's directory)
  --state FILE         this state file instead (its journal FILE.journal, its lock FILE.lock)
  --force-unlock       take the lock even if its holder may still run (only when a run on
                       another host holding it is known to be gone)
  --rejects FILE       where rejected rows go (default: <csv>.rejects.csv)
  --concurrency N      batches of 2,000 in flight at once, 1-16 (default 4)
  --dry-run            print the plan (adds, deletes, batches) and send nothing
  --no-progress        no progress output on stderr
  -h, --help           this text
  --version            the package's version

Environment:
  KAKAO_REST_API_KEY   the REST API key (required; never taken from a flag; used as is,
                       a key with a trailing newline or space is refused)
  KAKAO_BASE_URL       another Kakao origin, e.g. the emulator's (optional)

Exit codes: 0 done (or dry run), 1 rows rejected (nothing sent, see the rejects file),
2 usage or setup error (nothing sent; also: more deletes than --max-delete allows, another
sync running on the same state), 3 a Kakao call failed (re-run to resume), 4 a state or
journal write failed after sending began (what was sent is printed; fix the disk and re-run:
it reconciles), 130 interrupted by SIGINT, 143 by SIGTERM (re-run to resume).
`;

/**
 * @param {string[]} argv
 * @returns {Command}
 */
export function parseFlags(argv) {
  if (argv.length === 0) return { usage: true };
  if (argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help") return { help: true };
  if (argv[0] === "--version" || argv[0] === "-v") return { version: true };
  if (argv[0] === "files") return parseFilesFlags(argv.slice(1));
  if (argv[0] !== "sync") throw new UsageError(`unknown command ${JSON.stringify(argv[0])}; try --help`);
  let values;
  let tokens;
  try {
    ({ values, tokens } = parseArgs({
      tokens: true,
      args: argv.slice(1),
      strict: true,
      allowPositionals: false,
      options: {
        csv: { type: "string" },
        channel: { type: "string" },
        "file-id": { type: "string" },
        "user-type": { type: "string", default: "app" },
        "id-column": { type: "string" },
        columns: { type: "string" },
        "max-delete": { type: "string" },
        state: { type: "string" },
        "state-dir": { type: "string" },
        "force-unlock": { type: "boolean", default: false },
        rejects: { type: "string" },
        concurrency: { type: "string", default: "4" },
        "dry-run": { type: "boolean", default: false },
        "no-progress": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(`${/** @type {Error} */ (err).message}; try --help`);
  }
  if (values.help) return { help: true };
  onceEach(tokens);
  if (values.state !== undefined && values["state-dir"] !== undefined) throw new UsageError("--state and --state-dir exclude each other");
  for (const name of /** @type {const} */ (["csv", "channel", "file-id"])) {
    if (!values[name]) throw new UsageError(`--${name} is required; try --help`);
  }
  // Each is set (just checked).
  const channel = /** @type {string} */ (values.channel);
  const fileId = Number(values["file-id"]);
  if (!/^\d+$/.test(/** @type {string} */ (values["file-id"])) || !Number.isSafeInteger(fileId) || fileId <= 0) {
    throw new UsageError("--file-id must be a positive integer");
  }
  const concurrency = Number(values.concurrency);
  if (!/^\d+$/.test(values.concurrency) || concurrency < 1 || concurrency > 16) {
    throw new UsageError("--concurrency must be an integer from 1 to 16");
  }
  if (values["user-type"] !== "app" && values["user-type"] !== "phone") {
    throw new UsageError('--user-type must be "app" or "phone"');
  }
  const csv = resolve(/** @type {string} */ (values.csv));
  const stateDir = resolve(values["state-dir"] ?? join(dirname(csv), ".kakao-sync"));
  const state = values.state !== undefined ? resolve(values.state) : join(stateDir, stateName(channel, fileId, values["user-type"]));
  return {
    csv,
    channel,
    fileId,
    userType: values["user-type"],
    stateDir,
    stateFlag: values.state !== undefined,
    forceUnlock: values["force-unlock"],
    packageVersion: version(),
    idColumn: values["id-column"],
    columns: values.columns,
    maxDelete: parseMaxDelete(values["max-delete"]),
    state,
    journal: `${state}.journal`,
    rejects: resolve(values.rejects ?? `${csv}.rejects.csv`),
    concurrency,
    dryRun: values["dry-run"],
    progress: !values["no-progress"],
  };
}

/** A flag given twice would silently keep the last one (`--csv a.csv --csv b.csv` syncs b.csv): refused. @param {Tokens | undefined} tokens */
function onceEach(tokens) {
  const seen = new Set();
  for (const t of tokens ?? []) {
    if (t.kind !== "option") continue;
    if (seen.has(t.name)) throw new UsageError(`${t.rawName.startsWith("--") ? `--${t.name}` : t.rawName} is given more than once; give it once`);
    seen.add(t.name);
  }
}

/**
 * @param {string[]} args
 * @returns {Command}
 */
function parseFilesFlags(args) {
  let values;
  let tokens;
  try {
    ({ values, tokens } = parseArgs({
      args,
      tokens: true,
      strict: true,
      allowPositionals: false,
      options: { channel: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (err) {
    throw new UsageError(`${/** @type {Error} */ (err).message}; try --help`);
  }
  if (values.help) return { help: true };
  onceEach(tokens);
  if (!values.channel) throw new UsageError("--channel is required; try --help");
  return { command: "files", channel: values.channel };
}

/**
 * `--max-delete`: `{ count }` or `{ percent, atLeast? }`.
 * @param {string | undefined} text
 * @returns {MaxDelete}
 */
function parseMaxDelete(text) {
  if (text === undefined) return { ...DEFAULT_MAX_DELETE, flag: false };
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(count)) return { count, flag: true };
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (m && Number(m[1]) <= 100) return { percent: Number(m[1]), flag: true };
  throw new UsageError(`--max-delete must be a count (e.g. 500) or a percentage from 0% to 100% (e.g. 25%), got ${JSON.stringify(text)}`);
}

/**
 * How many deletes `max` allows when `known` users are known to be in the file.
 * @param {MaxDelete} max
 * @param {number} known
 */
export function deleteLimit(max, known) {
  if (max.count !== undefined) return max.count;
  return Math.max(Math.floor((known * max.percent) / 100), max.atLeast ?? 0);
}

/** @returns {string} */
export function version() {
  return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
}

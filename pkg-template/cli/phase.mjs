// Part of `kakao-talk-channel sync` (cli.mjs): sending one phase's batches.
import { BATCH } from "./common.mjs";

/**
 * One phase (deletes or adds): `count` batches, one SDK call each (`send(index)`, with the SDK's
 * retries), at most `concurrency` in flight, started in order; `confirmed(index, result)` for
 * each batch Kakao confirmed, as it settles. A stop (`stop` aborted: Ctrl-C, a failed journal
 * write) starts no new batch, and those in flight finish; the first failed batch stops the rest
 * the same way. Each batch's users are built as it starts (`send`), so a million rows are never
 * packed at once. Resolves to the failed batches, `[{ index, error }]` in batch order, empty
 * when every batch started was confirmed; a stop is not a failure.
 * @template R
 * @param {number} count
 * @param {(index: number) => Promise<R>} send
 * @param {{ concurrency: number; stop: AbortSignal; stopNow: (reason: Error) => void; confirmed: (index: number, result: R) => void }} options
 * @returns {Promise<{ index: number; error: unknown }[]>}
 */
export async function runPhase(count, send, { concurrency, stop, stopNow, confirmed }) {
  /** @type {{ index: number; error: unknown }[]} */
  const failed = [];
  let next = 0;
  const worker = async () => {
    while (!stop.aborted && next < count) {
      const index = next++;
      /** @type {R} */
      let result;
      try {
        result = await send(index);
      } catch (error) {
        failed.push({ index, error });
        // A failed batch stops new batches from starting (those in flight finish): re-run to resume.
        if (!stop.aborted) stopNow(new Error("a batch failed"));
        continue;
      }
      confirmed(index, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failed.sort((a, b) => a.index - b.index);
}

/** @param {number} n */
export const batchCount = (n) => Math.ceil(n / BATCH);
/**
 * Batch `index` of `items`.
 * @template {string[] | Int32Array} T
 * @param {T} items
 * @param {number} index
 * @returns {T} (a slice is of its array's kind)
 */
export const batchOf = (items, index) => /** @type {T} */ (items.slice(index * BATCH, (index + 1) * BATCH));

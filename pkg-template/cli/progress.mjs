// Part of `kakao-talk-channel sync` (cli.mjs): progress output.

// ----------------------------------------------------------------------------- progress ----

/** @param {number} n */
export const int = (n) => Math.round(n).toLocaleString("en-US");
/** @param {number} n */
export const batchesText = (n) => `${n} ${n === 1 ? "batch" : "batches"}`;

/** @param {number} s seconds */
export function duration(s) {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, "0")}s`;
}

/**
 * Progress of one phase on stderr: on a terminal a bar redrawn with `\r` (at most every 100 ms),
 * elsewhere a `LABEL: …` line every 2 s and at the end. `quietMs`: nothing is shown before the
 * phase has run that long (the check of a large CSV shows progress; a small one stays silent).
 */
export class Progress {
  /**
   * @param {number} total
   * @param {boolean} enabled
   * @param {{ label?: string; unit?: string; quietMs?: number }} [options]
   */
  constructor(total, enabled, { label = "progress", unit = "rows", quietMs = 0 } = {}) {
    this.total = total;
    this.done = 0;
    this.start = Date.now();
    this.label = label;
    this.unit = unit;
    this.quietUntil = this.start + quietMs;
    this.enabled = enabled && total > 0;
    this.tty = Boolean(process.stderr.isTTY);
    this.lastPlain = 0;
    this.lastDraw = 0;
    this.drawn = false;
    if (this.enabled && this.tty && quietMs === 0) this.timer = setInterval(() => this.draw(), 250);
  }
  text() {
    const secs = (Date.now() - this.start) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    return `${int(this.done)}/${int(this.total)} ${this.unit} · ${int(rate)} ${this.unit}/s · ETA ${duration(eta)}`;
  }
  draw() {
    const width = 30;
    const filled = Math.min(width, Math.floor((this.done / this.total) * width));
    const label = this.label === "progress" ? "" : `${this.label}: `;
    process.stderr.write(`\r\x1b[K${label}[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.text()}`);
    this.drawn = true;
  }
  /** `rows` more are done. @param {number} rows */
  add(rows) {
    this.set(this.done + rows);
  }
  /** `done` are done (at most `total`). @param {number} done */
  set(done) {
    this.done = Math.min(done, this.total);
    if (!this.enabled) return;
    const now = Date.now();
    if (now < this.quietUntil) return;
    if (this.tty) {
      if (this.timer === undefined && now - this.lastDraw < 100 && this.done !== this.total) return;
      this.lastDraw = now;
      return this.draw();
    }
    if (now - this.lastPlain >= 2000 || this.done === this.total) {
      this.lastPlain = now;
      this.drawn = true;
      process.stderr.write(`${this.label}: ${this.text()}\n`);
    }
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    if (!this.enabled || (!this.drawn && this.timer === undefined)) return;
    if (this.tty) {
      this.draw();
      process.stderr.write("\n");
    } else if (this.quietUntil > this.start && this.done !== this.total) {
      process.stderr.write(`${this.label}: ${this.text()}\n`);
    }
  }
}

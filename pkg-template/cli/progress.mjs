// Part of `kakao-talk-channel sync` (cli.mjs): progress output.

// ----------------------------------------------------------------------------- progress ----

export const int = (n) => Math.round(n).toLocaleString("en-US");
export const batchesText = (n) => `${n} ${n === 1 ? "batch" : "batches"}`;

export function duration(s) {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, "0")}s`;
}

export class Progress {
  constructor(total, enabled) {
    this.total = total;
    this.done = 0;
    this.start = Date.now();
    this.enabled = enabled && total > 0;
    this.tty = Boolean(process.stderr.isTTY);
    this.lastPlain = 0;
    if (this.enabled && this.tty) this.timer = setInterval(() => this.draw(), 250);
  }
  text() {
    const secs = (Date.now() - this.start) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    return `${int(this.done)}/${int(this.total)} rows · ${int(rate)} rows/s · ETA ${duration(eta)}`;
  }
  draw() {
    const width = 30;
    const filled = Math.min(width, Math.floor((this.done / this.total) * width));
    process.stderr.write(`\r\x1b[K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.text()}`);
  }
  add(rows) {
    this.done += rows;
    if (!this.enabled) return;
    if (this.tty) return this.draw();
    const now = Date.now();
    if (now - this.lastPlain >= 2000 || this.done === this.total) {
      this.lastPlain = now;
      process.stderr.write(`progress: ${this.text()}\n`);
    }
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled && this.tty) {
      this.draw();
      process.stderr.write("\n");
    }
  }
}

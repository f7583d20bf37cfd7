/** A one-line progress bar on stderr, redrawn in place (only on a terminal). */
export class ProgressBar {
  readonly #write: (text: string) => void;
  readonly #enabled: boolean;
  #lastDraw = 0;

  constructor(write: (text: string) => void, enabled: boolean) {
    this.#write = write;
    this.#enabled = enabled;
  }

  update(done: number, total: number, label: string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < 80 && done < total) return;
    this.#lastDraw = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    this.#write(`\r[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${label}`.padEnd(79));
  }

  done(): void {
    if (this.#enabled) this.#write('\n');
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * Terminal output on its way to the renderer: raw SSH bytes are decoded with one streaming UTF-8
 * decoder per terminal (a character split across chunks is held back until its last byte arrives,
 * never replaced by U+FFFD), then coalesced so bulk output becomes a few large IPC messages
 * instead of thousands of small ones.
 *
 * Flush policy: after a quiet period (nothing flushed for `intervalMs`) the first chunk is sent at
 * the end of the current event-loop turn, so keystroke echo gets no added delay; while output keeps
 * coming, at most one flush per `intervalMs`, or at once when `maxChars` have accumulated.
 */
export interface BatcherOptions {
  intervalMs?: number;
  maxChars?: number;
  now?: () => number;
}

export class OutputBatcher {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private readonly pending: string[] = [];
  private pendingChars = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private ended = false;
  private readonly intervalMs: number;
  private readonly maxChars: number;
  private readonly now: () => number;

  constructor(
    private readonly sink: (text: string) => void,
    opts: BatcherOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 8;
    this.maxChars = opts.maxChars ?? 256 * 1024;
    this.now = opts.now ?? (() => performance.now());
  }

  push(bytes: Uint8Array): void {
    if (this.ended) return;
    const text = this.decoder.decode(bytes, { stream: true });
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= this.maxChars) {
      this.flush();
      return;
    }
    if (this.timer !== null || this.immediate !== null) return;
    const sinceLast = this.now() - this.lastFlushAt;
    if (sinceLast >= this.intervalMs) this.immediate = setImmediate(() => this.flush());
    else this.timer = setTimeout(() => this.flush(), this.intervalMs - sinceLast);
  }

  /** Sends whatever is pending now. */
  flush(): void {
    this.cancelTimers();
    if (this.pendingChars === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join("");
    this.pending.length = 0;
    this.pendingChars = 0;
    this.lastFlushAt = this.now();
    this.sink(text);
  }

  /** End of stream: flush, including an incomplete trailing character (as U+FFFD, it can never complete). */
  end(): void {
    if (this.ended) return;
    const tail = this.decoder.decode();
    if (tail) {
      this.pending.push(tail);
      this.pendingChars += tail.length;
    }
    this.flush();
    this.ended = true;
  }

  private cancelTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}

/**
 * Progress for long waits (create, resume): a spinner with the elapsed time, redrawn in place —
 * only when stderr is a terminal. Anywhere else (a pipe, a file, an editor's log) it writes
 * nothing, so scripts and logs stay clean.
 */
export interface Progress {
  /** Changes what the line says (`resuming api: paused`). */
  update(label: string): void;
  /** Clears the line. */
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 100;

export function startProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const started = now();
  let frame = 0;
  let current = label;
  const draw = () => {
    const seconds = Math.floor((now() - started) / 1000);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current} (${seconds}s)`);
  };
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  return {
    update(next) {
      current = next;
    },
    stop() {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}

/**
 * Where `cw` writes: results on stdout (a table for people, JSON for scripts), everything else —
 * errors, progress, notes — on stderr, so `cw ls --json | jq` only ever sees JSON.
 */
export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** One line on stderr, prefixed `cw: `. */
export function say(line: string): void {
  process.stderr.write(`cw: ${line}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function renderTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "))
    .join("\n");
}

/**
 * Resolves once what was written to stdout and stderr has been handed to the OS. A stream that
 * cannot be written any more (the SSH bridge closes descriptor 1 itself) has nothing to flush.
 */
export function flushOutput(): Promise<void> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (!stream.writable) return resolve();
      stream.once("error", () => resolve());
      stream.write("", () => resolve());
    });
  return Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => {});
}

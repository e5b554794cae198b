/**
 * cw's block in an OpenSSH client config (`~/.ssh/config`): pure text edits that leave every byte
 * outside the block as it was. The block goes first in the file, because ssh takes the first value
 * it finds for each option: a `Host *` of the user's above it could otherwise override what cw
 * needs for its hosts. It ends with `Host *`, so options the user had before any `Host` line still
 * apply to every host, as they did. Removing the block gives back the exact original text.
 */
export const BLOCK_BEGIN = "# >>> cw: written by `cw config-ssh`; `cw config-ssh --remove` takes it out >>>";
export const BLOCK_END = "# <<< cw <<<";

export class ManagedBlockError extends Error {
  override name = "ManagedBlockError";
}

/** `\r\n` when the file already uses it (Windows editors), else `\n`. */
export const lineEndingOf = (text: string) => (text.includes("\r\n") ? "\r\n" : "\n");

/** Where the block sits: from its first line's start to just after its last line's end; null if absent. */
export function findBlock(text: string): { start: number; end: number } | null {
  const lines = text.split(/(?<=\n)/);
  let offset = 0;
  let start: number | null = null;
  let end: number | null = null;
  let begins = 0;
  let ends = 0;
  for (const line of lines) {
    const bare = line.replace(/\r?\n$/, "");
    if (bare === BLOCK_BEGIN) {
      begins++;
      start = offset;
    } else if (bare === BLOCK_END) {
      ends++;
      end = offset + line.length;
    }
    offset += line.length;
  }
  if (begins === 0 && ends === 0) return null;
  if (begins !== 1 || ends !== 1 || start === null || end === null || end <= start)
    throw new ManagedBlockError(
      `it has a broken cw block (its "${BLOCK_BEGIN}" and "${BLOCK_END}" lines must appear once each, in that order); fix or delete them by hand`,
    );
  return { start, end };
}

/** The block's text for `lines` (its content, without the markers), in the file's line ending. */
export function renderBlock(lines: string[], eol: string): string {
  return [BLOCK_BEGIN, ...lines, BLOCK_END].map((line) => `${line}${eol}`).join("");
}

/** The file with cw's block holding `lines`: replaced where it is, or put first. */
export function withBlock(text: string, lines: string[]): string {
  const block = renderBlock(lines, lineEndingOf(text));
  const at = findBlock(text);
  return at ? text.slice(0, at.start) + block + text.slice(at.end) : block + text;
}

/** The file without cw's block. */
export function withoutBlock(text: string): string {
  const at = findBlock(text);
  return at ? text.slice(0, at.start) + text.slice(at.end) : text;
}

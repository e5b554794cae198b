import { safeTextOf } from "@cw/contracts";

/**
 * Text that came out of a VM (or a provider) is the tenant's to choose: a command can print
 * gigabytes, a branch name can carry bidirectional controls, and either would end up in a status
 * message that every client of the organization shows. Everything such text reaches is capped here.
 */

/** Longest status or sync message kept on a workspace (the API shows it as is). */
export const MESSAGE_MAX = 300;

/** Characters of one stream of a command's output the control plane keeps: half from each end. */
export const OUTPUT_MAX = 64 * 1024;

/** A status or sync message: one line of displayable text, at most MESSAGE_MAX characters. */
export const messageText = (text: string) => safeTextOf(text, MESSAGE_MAX);

/**
 * A command's stdout or stderr, at most `max` characters: its beginning and its end (a report's
 * first lines and its last line both survive) around a line saying how much was cut.
 */
export function capOutput(text: string, max = OUTPUT_MAX): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  let headEnd = half;
  let tailStart = text.length - half;
  // Never split a surrogate pair.
  if (/[\ud800-\udbff]/.test(text[headEnd - 1] ?? "")) headEnd--;
  if (/[\udc00-\udfff]/.test(text[tailStart] ?? "")) tailStart++;
  return `${text.slice(0, headEnd)}\n[… ${tailStart - headEnd} characters cut …]\n${text.slice(tailStart)}`;
}

/** The words of a failure, as a message. */
export const failureText = (err: unknown) => messageText(err instanceof Error ? err.message : String(err));

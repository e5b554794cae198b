import { z } from "zod";

/**
 * ISO 8601 in UTC from either an ISO string or Postgres' text form (`2026-01-01 12:00:00.5+00`,
 * as Electric sends timestamptz); null when it is neither.
 */
export function toIso(text: string): string | null {
  const normalized = text.includes("T") ? text : text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An instant, always read as ISO 8601 UTC (`…T12:00:00.000Z`) whichever text form it arrived in. */
export const timestamp = z
  .string()
  .transform((text, ctx) => {
    const iso = toIso(text);
    if (iso === null) {
      ctx.addIssue({ code: "custom", message: "not a timestamp" });
      return z.NEVER;
    }
    return iso;
  })
  .meta({ format: "date-time" });

/**
 * An id the API issued (always a UUID, and documented as one). Answers are read as any non-empty
 * text: a client has no reason to refuse the server's ids. Inputs that name an id use `z.uuid()`.
 */
export const issuedId = z.string().min(1).meta({ format: "uuid" });

/**
 * Characters no stored text may hold: control characters (Postgres refuses NUL; the rest garble
 * logs and terminals), line and paragraph separators, and the bidirectional controls that make a
 * tray menu or a list show something other than what is stored.
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Half of a surrogate pair without its other half: not UTF-16 text, and not storable as UTF-8. */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` is well-formed UTF-16 with none of the characters above. */
export const isSafeText = (text: string) => !UNSAFE_CHARACTERS.test(text) && !UNPAIRED_SURROGATE.test(text);

/**
 * `text` made safe to store and show, for text nobody validated (what a VM or a provider said):
 * each unsafe character becomes a space, an unpaired surrogate U+FFFD, runs of spaces one, and
 * past `maxLength` UTF-16 units it is cut (never inside a surrogate pair) and ends with "…".
 */
export function safeTextOf(text: string, maxLength: number): string {
  const clean = text
    .replace(new RegExp(UNSAFE_CHARACTERS.source, "gu"), " ")
    .replace(new RegExp(UNPAIRED_SURROGATE.source, "g"), "\ufffd")
    .replace(/ {2,}/g, " ")
    .trim();
  if (clean.length <= maxLength) return clean;
  let end = Math.max(0, maxLength - 1);
  if (/[\ud800-\udbff]/.test(clean[end - 1] ?? "")) end--;
  return `${clean.slice(0, end).trimEnd()}…`;
}

export const SAFE_TEXT_MESSAGE =
  "must not contain control characters, line breaks, bidirectional controls or unpaired surrogates";

/** A display name: trimmed, 1–100 characters, one line of plainly displayable text. */
export const displayName = z.string().trim().min(1).max(100).refine(isSafeText, SAFE_TEXT_MESSAGE);

/** `{ items: [...] }`: the answer of a list route without pagination. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/**
 * A query parameter naming one or more of `values`, comma-separated (`running,error`): at least
 * one, each one of them, or the parameter is refused naming what it may hold.
 */
export const commaListOf = <const V extends readonly string[]>(values: V, noun: string) =>
  z
    .string()
    .max(2000)
    .transform((text, ctx) => {
      const items = text.split(",").filter(Boolean);
      const unknown = items.filter((item) => !values.includes(item));
      if (items.length === 0 || unknown.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `not a comma-separated list of ${noun} (${values.join(", ")})`,
        });
        return z.NEVER;
      }
      return items as V[number][];
    });

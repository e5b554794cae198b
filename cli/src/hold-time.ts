import { HOLD_MAX_MINUTES } from "@cw/contracts";

/**
 * How long a hold lasts (`cw hold --for`) or when it ends (`--until`), as people write them: pure
 * parsers, `now` passed in. The API checks the same limits (1 minute to 24 hours); saying so here
 * names the option instead of the request's field.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = (message: string): Parsed<never> => ({ ok: false, message });

/** `90m`, `2h`, `1h30m` (also `1h 30m`, upper case) → minutes, 1 to 24 h. */
export function parseDuration(text: string): Parsed<number> {
  const m = /^(?:(\d{1,4})h)?\s*(?:(\d{1,5})m)?$/i.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined))
    return fail(`"${text}" is not a duration: write it like 90m, 2h or 1h30m`);
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  if (minutes < 1) return fail("a hold lasts at least 1 minute");
  if (minutes > HOLD_MAX_MINUTES) return fail(`a hold lasts at most 24h (${HOLD_MAX_MINUTES} minutes)`);
  return { ok: true, value: minutes };
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;
/** A date and time, with an offset or without one (then local time, as `Date` reads it). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?$/i;

/**
 * `18:00` (the next 18:00 in the user's time zone: today, or tomorrow once it has passed) or an
 * ISO 8601 date and time (`2026-03-01T18:00:00Z`; without an offset, local time) → the instant,
 * which must be after `now` and at most 24 h ahead.
 */
export function parseUntil(text: string, now: Date): Parsed<Date> {
  const t = text.trim();
  let at: Date;
  const clock = CLOCK.exec(t);
  if (clock) {
    const [hours, minutes] = [Number(clock[1]), Number(clock[2])];
    if (hours > 23 || minutes > 59) return fail(`"${text}" is not a time of day`);
    at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hours, minutes);
    if (at.getTime() <= now.getTime())
      at = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, hours, minutes);
  } else if (DATE_TIME.test(t) && !Number.isNaN(Date.parse(t))) {
    at = new Date(Date.parse(t));
  } else {
    return fail(
      `"${text}" is not a time: write it like 18:00 (the next 18:00, local time) or 2026-03-01T18:00Z`,
    );
  }
  if (at.getTime() <= now.getTime()) return fail(`${text} has passed already`);
  if (at.getTime() - now.getTime() > HOLD_MAX_MINUTES * 60_000)
    return fail(`a hold ends at most 24h from now; ${text} is further away`);
  return { ok: true, value: at };
}

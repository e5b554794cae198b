/**
 * Instants as people read them beside the activity line, the same in every client (`cw status`
 * and `cw ls`, the tray's tooltip, the window): in the runtime's own time zone — the user's —
 * 24-hour, with the day only when it is not today. Plain functions (no imports), so the desktop's
 * page can bundle them.
 */

const pad = (n: number) => String(n).padStart(2, "0");

/** Midnight, local time, of the day `at` falls on. */
const localDay = (at: Date) => new Date(at.getFullYear(), at.getMonth(), at.getDate()).getTime();

/**
 * "18:00" today, "tomorrow 09:00", "yesterday 23:10", else "2026-03-02 09:00" — relative to `now`.
 * Pass it to `describeActivity` as its `formatTime`.
 */
export function localTimeFormat(now: Date): (at: Date) => string {
  const today = localDay(now);
  return (at) => {
    const clock = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
    // Days by calendar date, not by 24 h (daylight saving makes some days 23 or 25 hours long).
    const days = Math.round((localDay(at) - today) / 86_400_000);
    if (days === 0) return clock;
    if (days === 1) return `tomorrow ${clock}`;
    if (days === -1) return `yesterday ${clock}`;
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${clock}`;
  };
}

const DAY_MS = 24 * 60 * 60_000;

export type TokenExpiry = { ok: true; expiresAt: Date | null } | { ok: false; message: string };

/**
 * When a new API token expires: what was asked for, within two ceilings — the deployment's
 * maximum lifetime and the expiry of the token creating it. Asking for nothing means the lowest
 * ceiling (or never, with none); asking past a ceiling is refused, naming it.
 */
export function tokenExpiry(input: {
  requested: Date | null;
  now: Date;
  maxLifetimeDays: number | null;
  parentExpiresAt: Date | null;
}): TokenExpiry {
  const { requested, now, maxLifetimeDays, parentExpiresAt } = input;
  if (requested && requested.getTime() <= now.getTime())
    return { ok: false, message: "must be in the future" };
  const ceilings = [
    ...(maxLifetimeDays === null
      ? []
      : [
          {
            at: new Date(now.getTime() + maxLifetimeDays * DAY_MS),
            why: `${maxLifetimeDays} days from now, the longest a token may live`,
          },
        ]),
    ...(parentExpiresAt === null
      ? []
      : [{ at: parentExpiresAt, why: "when the token making this request expires" }]),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  const ceiling = ceilings[0];
  if (!requested) return { ok: true, expiresAt: ceiling?.at ?? null };
  if (ceiling && requested.getTime() > ceiling.at.getTime()) {
    return { ok: false, message: `must be no later than ${ceiling.at.toISOString()} (${ceiling.why})` };
  }
  return { ok: true, expiresAt: requested };
}

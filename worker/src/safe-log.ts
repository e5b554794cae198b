import { DrizzleQueryError } from "drizzle-orm/errors";

/**
 * What the worker may log about an error. A failed query's error carries the SQL and its bound
 * parameters in its message (token hashes, prefixes, ids), and Postgres' own error its `detail`
 * (the conflicting key's values): so when a database error is anywhere in the chain, only each
 * error's class, code and SQLSTATE are logged. Other errors keep a short message. Never request
 * headers, never `env`.
 */
const MAX_MESSAGE = 300;
const MAX_DEPTH = 5;

/** Postgres' own errors (pg-protocol's DatabaseError, through the Neon driver): a severity and a SQLSTATE. */
const isPostgresError = (err: object): err is { code: string } =>
  typeof (err as { severity?: unknown }).severity === "string" &&
  typeof (err as { code?: unknown }).code === "string" &&
  /^[0-9A-Z]{5}$/.test((err as { code: string }).code);

function chainOf(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let e = err;
    e !== undefined && e !== null && chain.length < MAX_DEPTH;
    e = (e as { cause?: unknown }).cause
  )
    chain.push(e);
  return chain;
}

export function errorSummary(err: unknown): string {
  const chain = chainOf(err);
  const fromDatabase = chain.some(
    (e) => e instanceof DrizzleQueryError || (typeof e === "object" && isPostgresError(e!)),
  );
  return chain
    .map((e) => {
      if (typeof e !== "object") return typeof e;
      const parts = [e!.constructor?.name || "Object"];
      if (isPostgresError(e!)) parts.push(`SQLSTATE ${e.code}`);
      else if (typeof (e as { code?: unknown }).code === "string")
        parts.push(`code ${(e as { code: string }).code}`);
      if (!fromDatabase && e instanceof Error) parts.push(e.message.slice(0, MAX_MESSAGE));
      return parts.join(" ");
    })
    .join(" <- ");
}

/** Logs `what` failed, with the error summarized as above. */
export function logError(what: string, err: unknown): void {
  console.error(what, errorSummary(err));
}

/**
 * The SQLSTATE of the Postgres error somewhere in `err`'s chain, or null. Classes 08 (connection),
 * 53 (insufficient resources: too many connections) and 57P (shutting down) mean the database is
 * unavailable for now, not that the request was wrong.
 */
export function sqlStateOf(err: unknown): string | null {
  for (const e of chainOf(err)) if (typeof e === "object" && e !== null && isPostgresError(e)) return e.code;
  return null;
}

export const databaseUnavailable = (err: unknown) => /^(08|53|57P)/.test(sqlStateOf(err) ?? "");

import { localTimeFormat } from "@cw/contracts/local-time";

/** An API timestamp in the user's time zone, as the tables show it: `14:05`, `yesterday 09:30`, `2026-11-02 17:00`. */
export const dayAndTime = (iso: string, now: Date) => localTimeFormat(now)(new Date(iso));

/** A comma-separated option (`--events a,b`, `--type a,b`) as a list; empty items dropped. */
export const commaList = (value: string) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

/**
 * The contract's types only. Erased at build time, so code that must not bundle zod (the desktop's
 * page) can still name the API's shapes.
 */
export type * from "./enums.ts";
export type * from "./schemas/index.ts";
export type { Transition, TransitionSubject } from "./status-table.ts";

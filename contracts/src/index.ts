/** The API's contract: enums, the status table, one zod schema per shape, and the operations. */
export * from "./activity.ts";
export * from "./enums.ts";
export * from "./operations.ts";
export * from "./schemas/index.ts";
export * from "./status-table.ts";
export * from "./unsaved-work-text.ts";

export { configureDriver, createDb, type Database, type DbEnv, type DbHandle } from "./client.ts";
export * as schema from "./schema/index.ts";

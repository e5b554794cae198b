import { randomBytes, randomInt, randomUUID } from "node:crypto";

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Freestyle VM ids are always 20 lowercase alphanumeric characters. */
export const VM_ID_PATTERN = /^[a-z0-9]{20}$/;

export function newVmId(): string {
  let id = "";
  for (let i = 0; i < 20; i++) id += LOWER_ALNUM[randomInt(LOWER_ALNUM.length)];
  return id;
}

export function newUuid(): string {
  return randomUUID();
}

/** 32 random bytes → 43 url-safe characters, so tokens can sit inside an SSH username. */
export function newAccessToken(): string {
  return randomBytes(32).toString("base64url");
}

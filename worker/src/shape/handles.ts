import { sha256Hex } from "@cw/db";
import type { ShapeDefinition } from "./shapes.ts";

/**
 * Shape handles of the built-in source: `<scope>-<time>-<random>`, where scope is a digest of the
 * shape name and the organization. A new handle for every snapshot, never reused (the client treats
 * a handle it saw expire as a stale cache). A handle minted for another shape or organization —
 * or not by us at all, e.g. one from Electric before the source changed — is simply expired: 409.
 */
const HANDLE = /^([0-9a-f]{16})-([0-9a-z]{1,12})-([0-9a-f]{8})$/;

async function scopeOf(shape: ShapeDefinition, organizationId: string): Promise<string> {
  return (await sha256Hex(`${shape.name}:${organizationId}`)).slice(0, 16);
}

export async function newHandle(shape: ShapeDefinition, organizationId: string, now: Date): Promise<string> {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(16).padStart(8, "0");
  return `${await scopeOf(shape, organizationId)}-${now.getTime().toString(36)}-${random}`;
}

export async function handleMatches(
  handle: string,
  shape: ShapeDefinition,
  organizationId: string,
): Promise<boolean> {
  const match = HANDLE.exec(handle);
  return match !== null && match[1] === (await scopeOf(shape, organizationId));
}

import { type KeyRing, open, type Sealed, SealedUnreadable, seal } from "../domain/secret-box.ts";

/**
 * Re-encryption under the newest key of GIT_CREDENTIAL_KEYS, for every table that keeps secrets
 * sealed (git credentials, webhook signing secrets): the cron moves a batch a tick, so an old key
 * can be dropped once nothing is under it any more.
 */
const RESEAL_BATCH = 100;

export interface ResealResult {
  stale: number;
  moved: number;
  /** Under a key that left the ring, or tampered with: left as they are. */
  unreadable: number;
}

/** How every table that keeps a sealed secret stores it. */
export interface SealedColumns {
  secretKeyId: string;
  /** base64 of the 12-byte nonce. */
  secretIv: string;
  /** base64 of the ciphertext with its tag. */
  secretCiphertext: string;
}

export const sealedColumns = (sealed: Sealed): SealedColumns => ({
  secretKeyId: sealed.keyId,
  secretIv: sealed.iv,
  secretCiphertext: sealed.ciphertext,
});

export const sealedOf = (row: SealedColumns): Sealed => ({
  keyId: row.secretKeyId,
  iv: row.secretIv,
  ciphertext: row.secretCiphertext,
});

/**
 * Opens each stale row's secret (one sealed under an older key) and seals it again under the
 * first. `save` writes the new ciphertext only if the row's is still the one read (a concurrent
 * replacement wins) and says whether it did.
 */
export async function resealUnderNewestKey<R extends SealedColumns>(
  ring: KeyRing,
  rows: {
    stale: (olderKeyIds: string[], limit: number) => PromiseLike<R[]>;
    contextOf: (r: R) => string;
    save: (r: R, columns: SealedColumns) => Promise<boolean>;
  },
): Promise<ResealResult> {
  const older = ring.slice(1).map((k) => k.id);
  if (older.length === 0) return { stale: 0, moved: 0, unreadable: 0 };
  const stale = await rows.stale(older, RESEAL_BATCH);
  let moved = 0;
  let unreadable = 0;
  for (const r of stale) {
    let secret: string;
    try {
      secret = await open(ring, sealedOf(r), rows.contextOf(r));
    } catch (err) {
      if (!(err instanceof SealedUnreadable)) throw err;
      unreadable++;
      continue;
    }
    if (await rows.save(r, sealedColumns(await seal(ring, secret, rows.contextOf(r))))) moved++;
  }
  return { stale: stale.length, moved, unreadable };
}

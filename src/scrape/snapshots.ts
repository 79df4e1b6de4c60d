// Raw pages, gzip-compressed and addressed by the sha256 of their bytes: an unchanged page is
// recognised without parsing, and a parser fix can re-read everything ever fetched.
import { createHash } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { first, type Tx } from '../timeline/write.ts';

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function putSnapshot(
  tx: Tx,
  s: { sha256: string; url: string; fetchedAt: number; contentType?: string | null; bytes: Buffer },
): Promise<void> {
  await tx.run(sql`INSERT INTO snapshots (sha256, url, fetched_at, content_type, size, gzip)
    VALUES (${s.sha256}, ${s.url}, ${s.fetchedAt}, ${s.contentType ?? null}, ${s.bytes.length}, ${gzipSync(s.bytes)})
    ON CONFLICT (sha256) DO NOTHING`);
}

export async function getSnapshot(tx: Tx, hash: string): Promise<Buffer | null> {
  const row = await first<{ gzip: ArrayBuffer | Buffer }>(tx, sql`SELECT gzip FROM snapshots WHERE sha256 = ${hash}`);
  if (!row) return null;
  return gunzipSync(Buffer.from(row.gzip as ArrayBuffer));
}

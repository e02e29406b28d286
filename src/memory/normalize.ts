import { createHash } from 'node:crypto';

/** The dedupe key of a memory's text: case, Unicode form and white space do not count. */
export function contentHash(content: string): string {
  const normalized = content.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(normalized).digest('hex');
}

/** pgvector's text form of a vector: `[0.1,0.2,...]`. */
export function toVectorLiteral(vector: number[]): string {
  return `[${vector.join(',')}]`;
}

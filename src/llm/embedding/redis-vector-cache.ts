import type { Redis } from 'ioredis';

/**
 * Vectors in Redis for every process of the installation, by text hash, as float32 bytes (a
 * quarter of JSON's size, and exactly what the in-process level and pgvector keep). Keys name
 * the embedder (`<prefix>emb:<embedder id>:<hash>`), so a change of model or size never serves
 * a vector of the old one; each expires `ttlSeconds` after it was stored.
 */
export class RedisVectorCache {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    embedderId: string,
    private readonly dimensions: number,
    private readonly ttlSeconds: number,
  ) {
    this.prefix = `${prefix}emb:${embedderId}:`;
  }

  /** The vector of each hash, in order (null where Redis has none). Throws when Redis does not answer. */
  async get(hashes: string[]): Promise<(Float32Array | null)[]> {
    if (hashes.length === 0) return [];
    const found = await this.redis.mgetBuffer(...hashes.map((h) => this.prefix + h));
    return found.map((bytes) => (bytes && bytes.length === this.dimensions * 4 ? toFloat32(bytes) : null));
  }

  /** Stores the vectors (one round trip). Throws when Redis does not answer. */
  async set(entries: [hash: string, vector: Float32Array][]): Promise<void> {
    if (entries.length === 0) return;
    const batch = this.redis.pipeline();
    for (const [hash, vector] of entries)
      batch.set(
        this.prefix + hash,
        Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
        'EX',
        this.ttlSeconds,
      );
    const replies = await batch.exec();
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
  }
}

/** A copy into a buffer of its own: ioredis's buffers may sit at any offset of a shared one, and Float32Array needs 4-byte alignment. */
function toFloat32(bytes: Buffer): Float32Array {
  const copy = new Float32Array(bytes.length / 4);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

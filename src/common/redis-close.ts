import type { Redis } from 'ioredis';

/**
 * Closes an ioredis client without waiting on a server that is not there: QUIT on a live
 * connection (pending replies arrive first), a plain disconnect otherwise (QUIT would sit in
 * the offline queue forever).
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
    return;
  }
  client.disconnect();
}

import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config.js';
import { corsOrigin } from '../config/cors.js';
import { closeRedis } from '../common/redis-close.js';

/**
 * Socket.IO servers with the server's CORS setting and heartbeat (a client silent for
 * pingInterval + pingTimeout is dropped), and with REDIS_URL the Redis adapter, so room
 * broadcasts and `fetchSockets()` span every API replica. Behind a load balancer, use sticky
 * sessions or let clients connect with `transports: ['websocket']`.
 */
export class SocketIoAdapter extends IoAdapter {
  private readonly redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      cors: { origin: corsOrigin(this.config.CORS_ORIGINS) },
      pingInterval: 25_000,
      pingTimeout: 20_000,
      maxHttpBufferSize: 1_000_000,
    } as ServerOptions);
    if (this.config.REDIS_URL) {
      // Commands wait for Redis rather than fail: a server starts (and serves REST) while Redis is down.
      const pub = new Redis(this.config.REDIS_URL, {
        connectionName: 'agentmem-socketio-pub',
        maxRetriesPerRequest: null,
      });
      const sub = pub.duplicate({ connectionName: 'agentmem-socketio-sub' });
      for (const client of [pub, sub]) client.on('error', () => undefined); // readiness reports Redis
      this.redisClients.push(pub, sub);
      server.adapter(createAdapter(pub, sub));
    }
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all(this.redisClients.map(closeRedis));
  }
}

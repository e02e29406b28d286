import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { WsResponse } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { AgentsService } from '../agents/agents.service.js';
import { credentialOf } from '../auth/auth.guard.js';
import { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { errorBodyOf } from '../common/errors/all-exceptions.filter.js';
import { EventBus } from '../common/events/event-bus.js';
import type { DomainEvent } from '../common/events/event-bus.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { credentialVerdict, CREDENTIAL_RECHECK_MS } from './credential-check.js';
import { ClientEventName, toClientEvent } from './realtime.events.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SocketState {
  principal: Principal;
  /** What the client authenticated with, checked again every CREDENTIAL_RECHECK_MS. */
  credential: string;
  /** Token bucket of client messages (WS_EVENTS_PER_SECOND). */
  tokens: number;
  refilledAt: number;
  dropped: number;
}

const orgRoom = (organizationId: string) => `org:${organizationId}`;
const agentRoom = (organizationId: string, agentId: string) => `agent:${organizationId}:${agentId}`;

/**
 * Socket.IO at /api/v1/ws. A client authenticates at the handshake with the same JWT or API key
 * as REST (`auth: {token}` or an Authorization / X-API-Key header) or is refused with a
 * connect_error; it then receives its organization's events, and a conversation's messages
 * after `subscribe` {agentId}. Rooms carry the organization id, so an event can reach only
 * sockets of its own organization.
 */
@WebSocketGateway({ path: '/api/v1/ws' })
export class RealtimeGateway
  implements OnGatewayInit<Server>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>
{
  private readonly logger = new Logger('RealtimeGateway');
  private readonly connections = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private unsubscribe: (() => void) | null = null;
  private rechecker: NodeJS.Timeout | null = null;
  private readonly stopCollecting: () => void;

  @WebSocketServer()
  private server!: Server;

  constructor(
    private readonly auth: AuthService,
    private readonly agents: AgentsService,
    private readonly tenant: TenantContext,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.stopCollecting = metrics.onCollect(() => metrics.socketConnections.set(this.sockets.size));
  }

  afterInit(server: Server): void {
    server.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: unknown) => next(connectError(error)),
      );
    });
    this.unsubscribe?.();
    this.unsubscribe = this.bus.subscribe((event) => this.deliver(event));
    if (this.rechecker) clearInterval(this.rechecker);
    this.rechecker = setInterval(() => void this.recheckCredentials(), CREDENTIAL_RECHECK_MS).unref();
  }

  /**
   * Disconnects the sockets whose credential no longer holds (revoked key, deleted user,
   * expired token), with an `error` event first; a check that fails for another reason (the
   * database is down) keeps the socket.
   */
  async recheckCredentials(): Promise<void> {
    for (const socket of [...this.sockets]) {
      const state = socket.data as SocketState;
      const verdict = await credentialVerdict(this.auth, state.credential, state.principal.organizationId);
      if (verdict === 'valid' || verdict === 'unknown') continue;
      this.emitError(socket, 'UNAUTHENTICATED', verdict);
      socket.disconnect(true);
    }
  }

  /** Authenticates the handshake and applies the per-organization connection limit. */
  private async admit(socket: Socket): Promise<void> {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const credential =
      typeof auth?.token === 'string' && auth.token.length > 0 ? auth.token : credentialOf(socket.handshake.headers);
    if (!credential)
      throw Object.assign(
        new Error('Authentication required: connect with auth: {token} (JWT or API key) or an Authorization header'),
        { statusCode: 401 },
      );
    const principal = await this.auth.authenticate(credential);
    if ((this.connections.get(principal.organizationId) ?? 0) >= this.config.WS_MAX_CONNECTIONS_PER_ORG) {
      throw Object.assign(
        new Error(
          `Too many connections for this organization (at most ${this.config.WS_MAX_CONNECTIONS_PER_ORG} per server)`,
        ),
        { statusCode: 429 },
      );
    }
    const state: SocketState = {
      principal,
      credential,
      tokens: this.config.WS_EVENTS_PER_SECOND,
      refilledAt: Date.now(),
      dropped: 0,
    };
    socket.data = state;
    // The slot is taken here, not in handleConnection: handshakes at once must not all pass.
    this.connections.set(principal.organizationId, (this.connections.get(principal.organizationId) ?? 0) + 1);
  }

  handleConnection(socket: Socket): void {
    const { principal } = socket.data as SocketState;
    this.sockets.add(socket);
    void socket.join(orgRoom(principal.organizationId));
    socket.use((_packet, next) => (this.allow(socket) ? next() : undefined));
  }

  handleDisconnect(socket: Socket): void {
    this.sockets.delete(socket);
    const state = socket.data as SocketState | undefined;
    if (!state?.principal) return;
    const left = (this.connections.get(state.principal.organizationId) ?? 1) - 1;
    if (left > 0) this.connections.set(state.principal.organizationId, left);
    else this.connections.delete(state.principal.organizationId);
  }

  /** Sockets connected to this process, by organization (tests and metrics). */
  connectionCount(organizationId?: string): number {
    if (organizationId) return this.connections.get(organizationId) ?? 0;
    let n = 0;
    for (const c of this.connections.values()) n += c;
    return n;
  }

  /** Follows an agent of the caller's organization: its conversation messages and LLM chunks. */
  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ ok: boolean; agentId?: string; error?: string }> {
    const { principal } = socket.data as SocketState;
    const agentId = agentIdOf(body);
    if (!agentId) return this.refuse(socket, 'VALIDATION_FAILED', 'agentId must be the UUID of one of your agents');
    const mine = await this.tenant.runAs(principal, () => this.agents.exists(agentId));
    if (!mine) return this.refuse(socket, 'NOT_FOUND', `agent ${agentId} not found`);
    await socket.join(agentRoom(principal.organizationId, agentId));
    return { ok: true, agentId };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribeAgent(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ ok: boolean; agentId?: string; error?: string }> {
    const { principal } = socket.data as SocketState;
    const agentId = agentIdOf(body);
    if (!agentId) return this.refuse(socket, 'VALIDATION_FAILED', 'agentId must be the UUID of one of your agents');
    await socket.leave(agentRoom(principal.organizationId, agentId));
    return { ok: true, agentId };
  }

  @SubscribeMessage('ping')
  ping(): WsResponse<{ type: 'pong'; timestamp: string }> {
    return { event: 'pong', data: { type: 'pong', timestamp: new Date().toISOString() } };
  }

  private deliver(event: DomainEvent): void {
    const clientEvent = toClientEvent(event);
    if (!clientEvent || !this.server) return;
    // Every process receives every event from the bus's transport, so each one delivers to its
    // own sockets only (`local`); the Redis adapter would otherwise repeat it on every replica.
    const room =
      clientEvent.audience === 'organization'
        ? orgRoom(event.organizationId)
        : clientEvent.agentId
          ? agentRoom(event.organizationId, clientEvent.agentId)
          : null;
    if (!room) return;
    this.server.local.to(room).emit(clientEvent.name, clientEvent.data);
    this.metrics.eventDelivered('socketio', event.occurredAt, this.server.sockets.adapter.rooms.get(room)?.size ?? 0);
  }

  /** Token bucket per socket; a socket that keeps sending after being told is disconnected. */
  private allow(socket: Socket): boolean {
    const state = socket.data as SocketState;
    const rate = this.config.WS_EVENTS_PER_SECOND;
    const now = Date.now();
    state.tokens = Math.min(rate, state.tokens + ((now - state.refilledAt) / 1000) * rate);
    state.refilledAt = now;
    if (state.tokens >= 1) {
      state.tokens -= 1;
      state.dropped = 0;
      return true;
    }
    state.dropped += 1;
    if (state.dropped === 1) this.emitError(socket, 'RATE_LIMITED', `Too many messages: at most ${rate} per second`);
    if (state.dropped > rate) {
      this.logger.warn(`disconnecting a socket of organization ${state.principal.organizationId}: message flood`);
      socket.disconnect(true);
    }
    return false;
  }

  private refuse(socket: Socket, code: string, message: string): { ok: false; error: string } {
    this.emitError(socket, code, message);
    return { ok: false, error: message };
  }

  private emitError(socket: Socket, code: string, message: string): void {
    socket.emit(ClientEventName.Error, {
      type: ClientEventName.Error,
      code,
      message,
      timestamp: new Date().toISOString(),
    });
  }

  onModuleDestroy(): void {
    this.stopCollecting();
    this.unsubscribe?.();
    if (this.rechecker) clearInterval(this.rechecker);
  }
}

function agentIdOf(body: unknown): string | null {
  const id =
    typeof body === 'string'
      ? body
      : body && typeof body === 'object'
        ? (body as { agentId?: unknown }).agentId
        : undefined;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

/** The handshake refusal clients see as connect_error: the message, and the REST error body as `data`. */
function connectError(error: unknown): Error {
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  const body =
    typeof statusCode === 'number'
      ? {
          statusCode,
          error: statusCode === 429 ? 'Too Many Requests' : 'Unauthorized',
          message: (error as Error).message,
        }
      : errorBodyOf(error, '');
  return Object.assign(new Error(body.message), { data: body });
}

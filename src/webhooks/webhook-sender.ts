import http from 'node:http';
import https from 'node:https';
import { Injectable } from '@nestjs/common';
import { privateAddressGuard, privateLiteral } from '../common/net/private-address.mjs';
import { AppConfig } from '../config/app-config.js';

/** Bytes of a receiver's answer read (for the log); the rest is dropped. */
const RESPONSE_LIMIT = 4096;

export interface SendOutcome {
  /** The receiver's status, or null when none came (refused, timed out, connection failed). */
  status: number | null;
  error: string | null;
}

const refusal = (hostname: string, address: string) =>
  `${hostname} resolves to ${address}, a private address (the server allows none: WEBHOOKS_ALLOW_PRIVATE_NETWORKS)`;

/**
 * One delivery attempt over node:http(s): no redirect followed, bounded by WEBHOOKS_TIMEOUT_MS,
 * and (unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS) HTTPS only and never to a private address —
 * checked on the address the socket connects to, as tools' fetch does, so a name registered
 * while public and re-pointed at 127.0.0.1 or the cloud metadata address (DNS rebinding) is
 * refused here although registration let it pass.
 */
@Injectable()
export class WebhookSender {
  private readonly guard = privateAddressGuard(refusal);

  constructor(private readonly config: AppConfig) {}

  async post(rawUrl: string, headers: Record<string, string>, body: string): Promise<SendOutcome> {
    const url = new URL(rawUrl);
    const allowPrivate = this.config.WEBHOOKS_ALLOW_PRIVATE_NETWORKS;
    if (!allowPrivate) {
      if (url.protocol !== 'https:')
        return {
          status: null,
          error: 'url must use https (the server allows http only with WEBHOOKS_ALLOW_PRIVATE_NETWORKS)',
        };
      const literal = privateLiteral(url);
      if (literal)
        return {
          status: null,
          error: `${literal} is a private address (the server allows none: WEBHOOKS_ALLOW_PRIVATE_NETWORKS)`,
        };
    }
    return new Promise<SendOutcome>((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          agent: false,
          lookup: allowPrivate ? undefined : this.guard,
          signal: AbortSignal.timeout(this.config.WEBHOOKS_TIMEOUT_MS),
        },
        (res) => {
          let size = 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            if (size < RESPONSE_LIMIT) chunks.push(chunk);
            size += chunk.byteLength;
          });
          const status = res.statusCode ?? 0;
          const done = () => {
            const ok = status >= 200 && status < 300;
            const answer = Buffer.concat(chunks).toString('utf8').slice(0, 200);
            resolve({ status, error: ok ? null : `the receiver answered ${status}${answer ? `: ${answer}` : ''}` });
          };
          res.on('end', done);
          res.on('error', (error) => resolve({ status, error: error.message }));
        },
      );
      req.on('error', (error: Error) =>
        resolve({
          status: null,
          error:
            error.name === 'AbortError' || error.name === 'TimeoutError'
              ? `no answer within ${this.config.WEBHOOKS_TIMEOUT_MS} ms`
              : error.message,
        }),
      );
      req.end(body);
    });
  }
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ToolError, ToolErrorCode } from './tools.errors.js';

const VERSION = 'v1';
const TAG_BYTES = 16;

/**
 * A tool's secrets (API keys it sends with `fetch`) at rest: AES-256-GCM under a key derived
 * (HKDF) from the server's JWT secret, which is never in the database, so a dump of the
 * database alone does not give them away. The API never returns them; tools read them as `env`.
 * Changing JWT_SECRET makes stored secrets unreadable: runs then say to set them again.
 */
export class ToolSecrets {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, 'agentmem', 'tool-secrets', 32));
  }

  /** Sealed for one tool: the tool's id is authenticated data, so a sealed value copied to another tool does not open. */
  seal(toolId: string, values: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(toolId));
    const body = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(toolId: string, sealed: string): Record<string, string> {
    try {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== VERSION) throw new Error(`unknown format ${version}`);
      const authTag = Buffer.from(tag, 'base64');
      if (authTag.length !== TAG_BYTES) throw new Error('bad tag');
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(toolId));
      decipher.setAuthTag(authTag);
      return JSON.parse(
        Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8'),
      ) as Record<string, string>;
    } catch {
      throw new ToolError(
        ToolErrorCode.SecretsUnreadable,
        "the tool's secrets cannot be read (was JWT_SECRET changed?): set them again with PATCH /tools/:id {secrets}",
      );
    }
  }
}

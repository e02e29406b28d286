import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/**
 * argon2id with the library's defaults (64 MiB, t=3): ~230 ms a hash on 2 cores, slow on
 * purpose. A login for an unknown email still verifies against a dummy hash so the answer
 * takes as long as for a known one (no account enumeration by timing).
 */
@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  async burn(password: string): Promise<void> {
    this.dummy ??= this.hash('agentmem-timing-equalizer');
    await this.verify(await this.dummy, password);
  }
}

import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with RFC 9106's second recommended setting (64 MiB, t=3, p=4), ~50 ms a hash on 2
 * cores. @node-rs/argon2 ships a prebuilt N-API binary per platform with no install script;
 * the `argon2` package's prebuilt linux-x64 binary crashed (SIGSEGV) on load here.
 * A login for an unknown email still verifies against a dummy hash so the answer takes as long
 * as for a known one (no account enumeration by timing).
 */
const OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated-module builds cannot import)
  memoryCost: 65536,
  timeCost: 3,
  parallelism: 4,
} as const;

@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, OPTIONS);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  async burn(password: string): Promise<void> {
    this.dummy ??= this.hash('agentmem-timing-equalizer');
    await this.verify(await this.dummy, password);
  }
}

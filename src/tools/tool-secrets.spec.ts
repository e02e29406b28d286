import { ToolSecrets } from './tool-secrets.js';

describe('ToolSecrets', () => {
  const secrets = new ToolSecrets('s'.repeat(48));

  it('seals and opens, with a fresh nonce each time', () => {
    const a = secrets.seal('tool-1', { API_KEY: 'sk-1', OTHER: 'x' });
    const b = secrets.seal('tool-1', { API_KEY: 'sk-1', OTHER: 'x' });
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-1');
    expect(secrets.open('tool-1', a)).toEqual({ API_KEY: 'sk-1', OTHER: 'x' });
  });

  it('refuses a tampered value, a shortened tag, another tool’s value, or one sealed under another server secret', () => {
    const sealed = secrets.seal('tool-1', { API_KEY: 'sk-1' });
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3], 'base64');
    body[0] ^= 1;
    const tampered = [parts[0], parts[1], parts[2], body.toString('base64')].join(':');
    expect(() => secrets.open('tool-1', tampered)).toThrow(/cannot be read \(was JWT_SECRET changed\?\)/);
    const shortTag = [
      parts[0],
      parts[1],
      Buffer.from(parts[2], 'base64').subarray(0, 4).toString('base64'),
      parts[3],
    ].join(':');
    expect(() => secrets.open('tool-1', shortTag)).toThrow(/cannot be read/);
    expect(() => secrets.open('tool-2', sealed)).toThrow(/cannot be read/);
    expect(() => new ToolSecrets('t'.repeat(48)).open('tool-1', sealed)).toThrow(/cannot be read/);
    expect(() => secrets.open('tool-1', 'garbage')).toThrow(/cannot be read/);
  });
});

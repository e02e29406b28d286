import { ConfigValidationError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      VECTOR_EXTENSION: 'auto',
      JWT_ACCESS_TTL_SECONDS: 900,
      REGISTRATION_ENABLED: true,
    });
    expect(config.embedded).toBe(true);
  });

  it('converts numbers and booleans from their string form', () => {
    const config = loadConfig({ PORT: '8080', REGISTRATION_ENABLED: 'false', TRUST_PROXY: '1' });
    expect(config.PORT).toBe(8080);
    expect(config.REGISTRATION_ENABLED).toBe(false);
    expect(config.TRUST_PROXY).toBe(true);
  });

  it('names every variable with a wrong value', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        VECTOR_EXTENSION: 'maybe',
        BODY_LIMIT: 'huge',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'VECTOR_EXTENSION', 'BODY_LIMIT'])
      expect(message).toContain(name);
  });

  it('demands a JWT_SECRET of 32+ characters with DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'short' })).toThrow(
      /JWT_SECRET must be at least 32/,
    );
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'k'.repeat(32) }).embedded).toBe(false);
  });

  it('treats an empty variable as unset and ignores unknown ones', () => {
    expect(loadConfig({ DATABASE_URL: '', SOMETHING_ELSE: 'x' }).embedded).toBe(true);
  });
});

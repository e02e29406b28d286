import { roleAtLeast } from '../common/context/principal.js';
import { AuthError } from './auth.errors.js';
import { credentialOf } from './auth.guard.js';
import { roleOfScopes } from './roles.js';

describe('credentialOf', () => {
  it('reads a Bearer token, a Token (Mem0 clients) or an X-API-Key header', () => {
    expect(credentialOf({ authorization: 'Bearer abc.def.ghi' })).toBe('abc.def.ghi');
    expect(credentialOf({ authorization: 'Token am_xyz' })).toBe('am_xyz');
    expect(credentialOf({ authorization: 'bearer am_xyz' })).toBe('am_xyz');
    expect(credentialOf({ 'x-api-key': 'am_xyz' })).toBe('am_xyz');
    expect(credentialOf({})).toBeNull();
  });

  it('refuses other Authorization schemes rather than ignoring them', () => {
    expect(() => credentialOf({ authorization: 'Basic dXNlcjpwYXNz' })).toThrow(AuthError);
    expect(() => credentialOf({ authorization: 'Bearer a b' })).toThrow(AuthError);
    // Token is Mem0's scheme for API keys; a JWT goes as Bearer.
    expect(() => credentialOf({ authorization: 'Token abc.def.ghi' })).toThrow(/Token takes an API key/);
  });
});

describe('roles and scopes', () => {
  it('orders roles owner > admin > member > viewer', () => {
    expect(roleAtLeast('owner', 'admin')).toBe(true);
    expect(roleAtLeast('admin', 'owner')).toBe(false);
    expect(roleAtLeast('member', 'member')).toBe(true);
    expect(roleAtLeast('viewer', 'member')).toBe(false);
  });

  it('gives a key the role of its highest scope', () => {
    expect(roleOfScopes(['read'])).toBe('viewer');
    expect(roleOfScopes(['read', 'write'])).toBe('member');
    expect(roleOfScopes(['write', 'admin'])).toBe('admin');
  });
});

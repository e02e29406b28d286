import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, privateAddressGuard, privateLiteral, resolvesPrivately } from './private-address.mjs';

describe('private addresses (tools fetch and webhooks)', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.8',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('finds private literals in URLs, bracketed IPv6 included, and leaves names to the lookup', () => {
    expect(privateLiteral(new URL('https://127.0.0.1:8443/x'))).toBe('127.0.0.1');
    expect(privateLiteral(new URL('https://[::1]/x'))).toBe('::1');
    expect(privateLiteral(new URL('https://8.8.8.8/x'))).toBeNull();
    expect(privateLiteral(new URL('https://localhost/x'))).toBeNull();
  });

  it('says a name resolves privately (localhost), and a literal public address does not', async () => {
    expect(await resolvesPrivately('localhost', 3000)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await resolvesPrivately('8.8.8.8', 3000)).toBeNull();
  });

  it('refuses, at connection time, a name that resolves to a private address', async () => {
    const server = http.createServer((_req, res) => res.end('reached')).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const lookup = privateAddressGuard((host, address) => `refused ${host} at ${address}`);
      const error = await new Promise<Error | null>((resolve) => {
        http
          .get(`http://localhost:${port}/`, { lookup, agent: false }, (res) => {
            res.resume();
            resolve(null);
          })
          .on('error', resolve);
      });
      expect(error?.message).toMatch(/^refused localhost at (127\.0\.0\.1|::1)$/);
    } finally {
      server.close();
    }
  });
});

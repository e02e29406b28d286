// @ts-check
// Which addresses outbound requests made for tenants (tools' fetch, webhook deliveries) may not
// reach unless the server allows private networks: this machine, private networks, link-local
// (cloud metadata at 169.254.169.254), multicast, reserved. Plain JavaScript with JSDoc types so
// that the sandbox host (sandbox-host.mjs, an .mjs asset run in its own process) and the
// TypeScript server import the same rules.
import dns from 'node:dns';
import net from 'node:net';

const PRIVATE = new net.BlockList();
for (const [a, p] of /** @type {[string, number][]} */ ([
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
])) {
  PRIVATE.addSubnet(a, p, 'ipv4');
}
for (const [a, p] of /** @type {[string, number][]} */ ([
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
]))
  PRIVATE.addSubnet(a, p, 'ipv6');

/**
 * Whether an IP address (v4, v6, or v4-mapped v6) is private in the sense above.
 * @param {string} address
 * @returns {boolean}
 */
export function isPrivateAddress(address) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/**
 * The address written in a URL's host when it is a private IP literal (such a host is never
 * looked up, so the lookup guard does not see it), else null.
 * @param {URL} url
 * @returns {string | null}
 */
export function privateLiteral(url) {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  return net.isIP(literal) && isPrivateAddress(literal) ? literal : null;
}

/**
 * A `lookup` for node:http(s) and node:net that refuses private addresses: checked on the
 * addresses the socket will use, so a name re-resolving elsewhere (DNS rebinding) cannot slip by.
 * `refusal` words the error for the caller's users.
 * @param {(hostname: string, address: string) => string} refusal
 * @returns {import('node:net').LookupFunction}
 */
export function privateAddressGuard(refusal) {
  /**
   * @param {string} hostname
   * @param {import('node:dns').LookupOptions} options
   * @param {(error: Error | null, address?: string | import('node:dns').LookupAddress[], family?: number) => void} callback
   */
  const lookup = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked) return callback(new Error(refusal(hostname, blocked.address)));
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
  return /** @type {import('node:net').LookupFunction} */ (/** @type {unknown} */ (lookup));
}

/**
 * The first private address `hostname` resolves to, or null (also when it does not resolve, or
 * not within `timeoutMs`): a check at registration time, before the one at connection time.
 * @param {string} hostname
 * @param {number} timeoutMs
 * @returns {Promise<string | null>}
 */
export async function resolvesPrivately(hostname, timeoutMs) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve([]), timeoutMs)));
  try {
    const found = /** @type {import('node:dns').LookupAddress[]} */ (
      await Promise.race([dns.promises.lookup(hostname, { all: true }).catch(() => []), late])
    );
    return found.find((a) => isPrivateAddress(a.address))?.address ?? null;
  } finally {
    clearTimeout(timer);
  }
}

// @ts-check
// The network side of the sandbox host: a tool's fetch, allowed only to its hosts, never to a
// private address unless the server allows it, one HTTP exchange at a time with capped bodies.
// Imported by sandbox-host.mjs only.
import http from 'node:http';
import https from 'node:https';
import { privateAddressGuard, privateLiteral } from '../../common/net/private-address.mjs';
import { message } from './sandbox-isolate.mjs';

const MAX_FETCHES = 50;
const FETCH_BODY_LIMIT = 1024 * 1024;

/** What a tool passes to fetch besides the URL (the prelude has made it plain data). @typedef {{ method?: string, headers?: Record<string, string>, body?: string | null }} FetchInit */
/** What the isolate's Response is made from. @typedef {{ status: number, statusText: string, url: string, headers: Record<string, string>, body: string }} FetchResponse */

/**
 * @param {URL} url
 * @param {string[]} allowedHosts
 */
function hostMatches(url, allowedHosts) {
  const host = url.host.toLowerCase();
  const name = url.hostname.toLowerCase();
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith('*.')) return name.endsWith(e.slice(1));
    return e.includes(':') && !e.startsWith('[') ? host === e : name === e || host === e;
  });
}

/**
 * fetch for the isolate: only http(s), only allowlisted hosts, no redirects followed, bodies
 * capped. It answers { response } or { error } and never rejects: isolated-vm does not carry a
 * host promise's rejection into the isolate (it would end this process as unhandled).
 * @param {string[]} allowedHosts
 * @param {number} deadline epoch ms
 * @param {boolean} allowPrivate
 * @returns {(input: unknown, init: FetchInit) => Promise<{ response: FetchResponse } | { error: string, type: string }>}
 */
export function makeFetch(allowedHosts, deadline, allowPrivate) {
  const request = hostRequest(allowedHosts, deadline, allowPrivate);
  return (input, init) =>
    request(input, init).then(
      (response) => ({ response }),
      (e) => ({ error: message(e), type: e instanceof TypeError ? 'TypeError' : 'Error' }),
    );
}

// Addresses a tool's fetch may not reach unless TOOLS_FETCH_PRIVATE_NETWORKS is set (the rules
// webhook deliveries follow too): checked on the address connected to.
const guardedLookup = privateAddressGuard(
  (hostname, address) =>
    `fetch: ${hostname} resolves to ${address}, a private address (the server allows none: TOOLS_FETCH_PRIVATE_NETWORKS)`,
);

/** One HTTP exchange with node:http(s): no redirect followed, the body read up to the cap. */
/**
 * @param {URL} url
 * @param {FetchInit} init
 * @param {number} deadline
 * @param {boolean} allowPrivate
 * @returns {Promise<FetchResponse>}
 */
function exchange(url, init, deadline, allowPrivate) {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: init.method,
        headers: init.headers,
        agent: false,
        lookup: allowPrivate ? undefined : guardedLookup,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.byteLength;
          if (size > FETCH_BODY_LIMIT) {
            res.destroy();
            reject(new Error(`fetch: the response body is over ${FETCH_BODY_LIMIT} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          /** @type {Record<string, string>} */
          const headers = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            url: url.href,
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body ?? undefined);
  });
}

/**
 * @param {string[]} allowedHosts
 * @param {number} deadline
 * @param {boolean} allowPrivate
 * @returns {(input: unknown, init: FetchInit) => Promise<FetchResponse>}
 */
function hostRequest(allowedHosts, deadline, allowPrivate) {
  let count = 0;
  return async (input, init) => {
    count += 1;
    if (count > MAX_FETCHES) throw new Error(`fetch: at most ${MAX_FETCHES} requests per run`);
    let url;
    try {
      url = new URL(String(input));
    } catch {
      throw new TypeError(`fetch: invalid URL ${String(input).slice(0, 200)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`fetch: only http and https URLs are allowed, not ${url.protocol}`);
    if (!hostMatches(url, allowedHosts)) throw new Error(`fetch: host ${url.host} is not in this tool's allowedHosts`);
    // An address written in the URL is never looked up, so it is checked here.
    const literal = allowPrivate ? null : privateLiteral(url);
    if (literal) {
      throw new Error(`fetch: ${literal} is a private address (the server allows none: TOOLS_FETCH_PRIVATE_NETWORKS)`);
    }
    return exchange(url, init, deadline, allowPrivate);
  };
}

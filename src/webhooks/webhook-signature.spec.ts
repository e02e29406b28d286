import { createHmac } from 'node:crypto';
import { deliveryId, newWebhookSecret, signatureHeader, verifySignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ id: 'e1', type: 'memory.created', data: { memoryId: 'm1' } });

  it('signs "<t>.<body>" with HMAC-SHA256 of the secret, as the README documents', () => {
    const header = signatureHeader(secret, 1_700_000_000, body);
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies its own signature and refuses another body, secret or an old timestamp', () => {
    const now = 1_700_000_000_000;
    const header = signatureHeader(secret, now / 1000, body);
    expect(verifySignature(secret, header, body, 300, now)).toBe(true);
    expect(verifySignature(secret, header, body + ' ', 300, now)).toBe(false);
    expect(verifySignature(newWebhookSecret(), header, body, 300, now)).toBe(false);
    expect(verifySignature(secret, header, body, 300, now + 301_000)).toBe(false);
    expect(verifySignature(secret, 't=abc,v1=00', body, 300, now)).toBe(false);
  });

  it('makes secrets of 256 random bits with a recognizable prefix', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(newWebhookSecret());
  });

  it('derives one delivery id per webhook and event: a UUID, the same in every process', () => {
    const w = '0190a6c4-0000-7000-8000-000000000001';
    const e = '0190a6c4-0000-7000-8000-0000000000aa';
    expect(deliveryId(w, e)).toBe(deliveryId(w, e));
    expect(deliveryId(w, e)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryId(w, e)).not.toBe(deliveryId(w, '0190a6c4-0000-7000-8000-0000000000ab'));
    expect(deliveryId(w, e)).not.toBe(deliveryId('0190a6c4-0000-7000-8000-000000000002', e));
  });
});

import { randomBytes } from 'node:crypto';

/** The last millisecond an id of this process was made in, and the counter within it (12 bits of rand_a). */
let lastMs = 0;
let sequence = 0;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter (rand_a),
 * then random bits. Ids made this way sort by creation time, and those made by one process sort
 * in the order they were made even within a millisecond (RFC 9562's method 1: the counter starts
 * at a random value below 2,048 each millisecond and counts up; past 4,095 the clock is borrowed
 * from the next millisecond), so lists page by primary key alone (`id > cursor ORDER BY id`) and
 * the messages of one statement keep their order. An explicit `now` makes an id of that time.
 */
export function uuidv7(now?: number): string {
  const bytes = randomBytes(16);
  let ms: number;
  let counter: number;
  if (now !== undefined) {
    ms = now;
    counter = bytes.readUInt16BE(6) & 0x0fff;
  } else {
    const clock = Date.now();
    if (clock > lastMs) {
      lastMs = clock;
      sequence = bytes.readUInt16BE(6) & 0x07ff;
    } else if (++sequence > 0x0fff) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
    counter = sequence;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

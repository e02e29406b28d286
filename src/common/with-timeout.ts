/**
 * `work`, or what `onTimeout` returns (or throws) when it has not settled within `ms`. The
 * timer is cleared either way, so a fast answer leaves nothing pending. `work` is not cancelled:
 * a late settlement is ignored.
 */
export async function withTimeout<T, U>(work: Promise<T>, ms: number, onTimeout: () => U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), Math.max(0, ms))));
  try {
    const first = await Promise.race([work, late]);
    return first === LATE ? onTimeout() : first;
  } finally {
    clearTimeout(timer);
  }
}

const LATE: unique symbol = Symbol('late');

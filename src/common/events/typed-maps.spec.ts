import { QueueName } from '../../jobs/jobs.types.js';
import type { JobsService } from '../../jobs/jobs.service.js';
import { domainEvent } from './event-bus.js';
import '../../memory/memory.events.js';
import '../../memory/jobs/import.processor.js';

/**
 * The promise of the typed maps is a compile error on a mismatch. `npm run lint` type-checks
 * this file: each `@ts-expect-error` fails the check if its line ever compiles.
 */
function mismatches(jobs: JobsService): void {
  // @ts-expect-error a memory event's payload names the memory by memoryId (a string)
  domainEvent('memory.created', 'org', { memoryId: 1 });
  // @ts-expect-error an event name no module declares
  domainEvent('memory.exploded', 'org', {});
  // @ts-expect-error an import's data is its rows
  void jobs.enqueue(QueueName.Import, { rows: 5 });
}

describe('the typed event and job maps', () => {
  it('build a declared event with its payload (the mismatches above do not compile)', () => {
    expect(typeof mismatches).toBe('function');
    const event = domainEvent('memory.created', 'org', {
      memoryId: 'm',
      userId: null,
      agentId: null,
      runId: null,
      actor: 'a',
    });
    expect(event).toMatchObject({ name: 'memory.created', organizationId: 'org', payload: { memoryId: 'm' } });
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
  });
});

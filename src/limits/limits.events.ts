import { domainEvent } from '../common/events/event-bus.js';
import type { NewDomainEvent } from '../common/events/event-bus.js';

/**
 * An organization's limits were set: every process drops its cached copy (clients never see
 * this event; realtime passes on only the events it knows).
 */
export const LIMITS_CHANGED = 'limits.changed' as const;

declare module '../common/events/event-bus.js' {
  interface DomainEventMap {
    'limits.changed': Record<string, never>;
  }
}

export function limitsChanged(organizationId: string): NewDomainEvent<typeof LIMITS_CHANGED> {
  return domainEvent(LIMITS_CHANGED, organizationId, {});
}

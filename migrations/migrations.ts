import { Foundation1764064800000 } from './1764064800000-foundation.js';
import { Memories1764072000000 } from './1764072000000-memories.js';
import { Agents1764158400000 } from './1764158400000-agents.js';
import { Jobs1764162000000 } from './1764162000000-jobs.js';
import { JobPayloads1764165600000 } from './1764165600000-job-payloads.js';
import { AgentChat1764518400000 } from './1764518400000-agent-chat.js';
import { Tools1764547200000 } from './1764547200000-tools.js';
import { ServiceKeys1764633600000 } from './1764633600000-service-keys.js';
import { FollowingTurns1764720000000 } from './1764720000000-following-turns.js';
import { ShortGinPendingList1764806400000 } from './1764806400000-short-gin-pending-list.js';
import { MemoryChanges1764892800000 } from './1764892800000-memory-changes.js';
import { OrganizationLimits1764979200000 } from './1764979200000-organization-limits.js';
import { Webhooks1765065600000 } from './1765065600000-webhooks.js';
import { JobIndex1765152000000 } from './1765152000000-job-index.js';

/**
 * Every migration, oldest first. Listed by hand rather than globbed so the same list serves the
 * compiled server, the CLI and the test suite (which runs the TypeScript sources).
 */
export const MIGRATIONS = [
  Foundation1764064800000,
  Memories1764072000000,
  Agents1764158400000,
  Jobs1764162000000,
  JobPayloads1764165600000,
  AgentChat1764518400000,
  Tools1764547200000,
  ServiceKeys1764633600000,
  FollowingTurns1764720000000,
  ShortGinPendingList1764806400000,
  MemoryChanges1764892800000,
  OrganizationLimits1764979200000,
  Webhooks1765065600000,
  JobIndex1765152000000,
];

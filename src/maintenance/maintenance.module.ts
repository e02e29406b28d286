import { Module } from '@nestjs/common';
import { MemoryModule } from '../memory/memory.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { MaintenanceProcessor } from './maintenance.processor.js';

/**
 * The scheduled housekeeping across modules (expired and long-deleted memories, old tool runs
 * and job results). It depends on the modules it tidies, so none of them depends on another
 * for its sake (memory imported tools only to prune tool runs before).
 */
@Module({
  imports: [MemoryModule, ToolsModule, WebhooksModule],
  providers: [MaintenanceProcessor],
})
export class MaintenanceModule {}

import { Module } from '@nestjs/common';
import { MemoryModule } from '../../memory/memory.module.js';
import { Mem0Controller } from './mem0.controller.js';
import { Mem0Service } from './mem0.service.js';

/** Mem0's platform API for `mem0ai`'s MemoryClient, onto the memory and search services. */
@Module({ imports: [MemoryModule], controllers: [Mem0Controller], providers: [Mem0Service] })
export class Mem0Module {}

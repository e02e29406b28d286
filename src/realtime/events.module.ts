import { Module } from '@nestjs/common';
import { EventTransportLifecycle } from './event-transport.lifecycle.js';

/** The event bus's link to other processes (API replicas, workers). */
@Module({ providers: [EventTransportLifecycle], exports: [EventTransportLifecycle] })
export class EventsModule {}

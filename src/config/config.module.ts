import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { BootResources } from './boot-resources.js';

/** Provides the validated AppConfig (and the boot's resource list) to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, resources = new BootResources()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: BootResources, useValue: resources },
      ],
      exports: [AppConfig, BootResources],
    };
  }
}

import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DubanConfig } from './config';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: DubanConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: DubanConfig, useValue: config }], exports: [DubanConfig] };
  }
}

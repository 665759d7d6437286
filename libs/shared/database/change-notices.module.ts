import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { ChangeNotices } from './change-notices';

@Injectable()
class ChangeNoticesCloser implements OnApplicationShutdown {
  constructor(@Inject(ChangeNotices) private readonly notices: ChangeNotices) {}
  onApplicationShutdown(): Promise<void> {
    return this.notices.stop();
  }
}

/** The process's listener for changes to the tables it keeps in memory (see ChangeNotices). */
@Global()
@Module({})
export class ChangeNoticesModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: ChangeNoticesModule,
      providers: [
        {
          provide: ChangeNotices,
          inject: [PinoLogger],
          useFactory: async (logger: PinoLogger) => {
            const notices = new ChangeNotices(databaseUrl, logger);
            await notices.start();
            return notices;
          },
        },
        ChangeNoticesCloser,
      ],
      exports: [ChangeNotices],
    };
  }
}

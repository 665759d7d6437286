import { createLogger, installTemporalLogging } from '../../../libs/shared/logging';
import { replay } from './replay';
import { verify } from './verify-case-file';
import { verifyLog } from './verify-log';

// `npm run audit -- <command>`: the auditors' offline tools; they need no API and no Temporal server.
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  replay,
  verify,
  'verify-log': verifyLog,
};

async function main(): Promise<number> {
  // The replayer's own worker lines would bury the answer.
  installTemporalLogging(createLogger('audit', 'warn'));
  const [name, ...args] = process.argv.slice(2);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(
      'usage: npm run audit -- replay <history.json> | verify <case-file.json> | verify-log [--checkpoints <file>]\n',
    );
    return 2;
  }
  return command(args);
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  },
);

import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';

// `npm run bench -- --profile DIR` preloads this into the API and the worker (`node -r`): a CPU
// profile per benchmark phase. `--cpu-prof` alone writes one profile at a clean exit, but both
// parts end by re-raising SIGTERM (Nest's shutdown hooks), so none would be written, and one
// profile for the whole run mixes starts, commands and the storm. On SIGWINCH (the one signal Nest's shutdown hooks leave alone
// and whose default is to ignore it) this writes the
// profile so far as `<part>-<phase>.cpuprofile` (the phase read from DIR/.phase) and starts anew.

const dir = process.env.DUBAN_PROFILE_DIR;
const part = process.env.DUBAN_PROFILE_PART ?? String(process.pid);
if (dir) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
    );
  const begin = async () => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 1000 });
    await post('Profiler.start');
  };
  void begin();
  process.on('SIGWINCH', () => {
    void (async () => {
      const { profile } = await post('Profiler.stop');
      const phase = fs.readFileSync(path.join(dir, '.phase'), 'utf8').trim();
      fs.writeFileSync(path.join(dir, `${part}-${phase}.cpuprofile`), JSON.stringify(profile));
      fs.writeFileSync(path.join(dir, `${part}-${phase}.done`), '');
      await post('Profiler.start');
    })();
  });
}

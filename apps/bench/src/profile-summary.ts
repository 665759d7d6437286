import * as fs from 'node:fs';
import * as path from 'node:path';

// `node dist/apps/bench/src/profile-summary.js DIR [--per N]`: where the CPU of each profile that
// `npm run bench -- --profile DIR` wrote went, by Duban's own categories. Each sample's time goes to
// the first frame, from the leaf up, that belongs to a category, so a JSON.stringify called by pino
// counts as logging and a socket write by pg as SQL; a stack with none is the Node runtime's.
// Library glue (rxjs) has no category of its own: its time is its caller's (Nest in the API, the
// Temporal worker in the worker). Workflow code runs on the SDK's workflow thread, which the
// profile (of the main thread) does not see: the bench's CPU per operation (all threads) minus
// the profile's total is that thread's share.
// `--per N` also divides each phase's milliseconds by N (e.g. the phase's obligations).

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const PROFILER = 'the profiler itself';
/** Not the process's own work: left out of each profile's total. */
const NOT_COUNTED = new Set(['idle', PROFILER]);

/** In order: the first pattern a frame's url (or name) matches names its category. */
const CATEGORIES: Array<[string, RegExp]> = [
  // Writing the profile itself (profile-preload.ts), left out of the totals like idle time.
  [PROFILER, /\/apps\/bench\/src\/profile-preload/],
  ['auth', /\/apps\/api\/src\/auth\//],
  ['idempotency', /\/apps\/api\/src\/idempotency\//],
  ['audit writer', /\/audit-trail\/|\/libs\/shared\/database\/audit/],
  ['validation', /class-validator|class-transformer|\/zod\/|ajv|\.dto\.js|\/libs\/contracts\//],
  ['projection write', /\/activities\/read-model|projection/],
  ['logging (pino)', /\/pino|nestjs-pino|sonic-boom|fast-redact|\/libs\/shared\/logging/],
  ['SQL (pg, TypeORM)', /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-|typeorm)\//],
  [
    'Nest / Express adapter',
    /node_modules\/(@nestjs|express|body-parser|router|raw-body|finalhandler|path-to-regexp|qs|send|on-finished|iconv-lite|type-is|content-type|helmet|compression)\//,
  ],
  ['workflow code (sandbox)', /\/workflows\/|workflow-bundle|webpack:\/\//],
  ['Temporal SDK / gRPC', /node_modules\/(@temporalio|@grpc|protobufjs|@protobufjs|long|nexus-rpc)\//],
  ['domain rules', /\/libs\/domain\//],
  ['Duban (other)', /\/(apps|activities|libs)\//],
];
const SPECIAL: Record<string, string> = {
  '(garbage collector)': 'garbage collection',
  '(program)': 'V8 / native (no JS frame)',
  '(idle)': 'idle',
};

function categoryOf(frame: Node['callFrame']): string | undefined {
  if (SPECIAL[frame.functionName]) return SPECIAL[frame.functionName];
  // The SDK's native bridge (Rust) shows up by name, without a url.
  if (/^temporal_sdk|^temporal_client/.test(frame.functionName)) return 'Temporal SDK / gRPC';
  if (!frame.url) return undefined;
  for (const [name, pattern] of CATEGORIES) if (pattern.test(frame.url)) return name;
  return undefined;
}

/** Milliseconds of self time per category, and the profile's wall time. */
export function summarise(profile: Profile): { wallMs: number; ms: Record<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cache = new Map<number, string>();
  const resolve = (id: number): string => {
    const hit = cache.get(id);
    if (hit) return hit;
    let category: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !category; at = parent.get(at))
      category = categoryOf(byId.get(at)!.callFrame);
    const result = category ?? 'Node runtime (http, net, timers)';
    cache.set(id, result);
    return result;
  };
  const ms: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const c = resolve(id);
    ms[c] = (ms[c] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return { wallMs: (profile.endTime - profile.startTime) / 1000, ms };
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: profile-summary DIR [--per N]');
  const perArg = process.argv.indexOf('--per');
  const per = perArg < 0 ? undefined : Number(process.argv[perArg + 1]);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files.sort()) {
    const { wallMs, ms } = summarise(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Profile);
    const busy = Object.entries(ms)
      .filter(([c]) => !NOT_COUNTED.has(c))
      .reduce((a, [, v]) => a + v, 0);
    process.stdout.write(
      `\n${f.replace('.cpuprofile', '')}: ${(wallMs / 1000).toFixed(1)} s wall, ${(busy / 1000).toFixed(1)} s on the CPU (${Math.round((100 * busy) / wallMs)}%)\n`,
    );
    for (const [c, v] of Object.entries(ms)
      .filter(([c]) => !NOT_COUNTED.has(c))
      .sort((a, b) => b[1] - a[1]))
      process.stdout.write(
        `  ${c.padEnd(34)} ${String(Math.round(v)).padStart(7)} ms  ${((100 * v) / busy).toFixed(1).padStart(5)}%${per ? `  ${(v / per).toFixed(2).padStart(7)} ms each` : ''}\n`,
      );
  }
}

if (require.main === module) main();

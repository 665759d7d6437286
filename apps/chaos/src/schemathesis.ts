import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Http } from './http';
import { ROOT, Stack, stopOnExit } from './stack';

// `npm run schemathesis`: Schemathesis generates requests from the OpenAPI document (/docs-json)
// and sends them with each role's token, checking one promise only: no answer is a server error.
// On a stack of its own (ports 28233, 28432, 28380). Exits 1 on any 5xx, each failure's request printed.

// Below the ephemeral port range, as the chaos suite's.
const PORTS = { temporal: 28233, postgres: 28432, api: 28380 };
const VENV = path.join(ROOT, '.data/schemathesis-venv');
const ST = path.join(VENV, 'bin/st');
// Per role: examples per operation and the role's time budget (5 roles: about 6.5 minutes in all).
const MAX_EXAMPLES = Number(process.env.DUBAN_ST_MAX_EXAMPLES ?? 30);
const MAX_SECONDS = Number(process.env.DUBAN_ST_SECONDS_PER_ROLE ?? 70);
const say = (line: string) => process.stdout.write(`${line}\n`);

let stack: Stack | null = null;
stopOnExit(() => stack);

/** Schemathesis from PyPI into a venv under .data/ (gitignored), once. */
function ensureSchemathesis(): void {
  if (fs.existsSync(ST)) return;
  say(`installing schemathesis into ${path.relative(ROOT, VENV)} (pip)`);
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', VENV]],
    [path.join(VENV, 'bin/pip'), ['install', '--quiet', 'schemathesis']],
  ] as const) {
    const r = spawnSync(cmd, [...args], { stdio: 'inherit' });
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}); is python3 with venv and pip installed?`);
  }
}

interface Failure {
  role: string;
  operation: string;
  status: string;
  /** Schemathesis's reproductions (curl, the token filtered out). */
  requests: string[];
}

/** Runs `st run` as one role; resolves with its exit code. Output goes to the terminal and a file. */
function runSt(role: string, base: string, token: string | null, reportDir: string): Promise<number> {
  const args = [
    'run',
    `${base}/docs-json`,
    '--url',
    base,
    '--checks',
    'not_a_server_error',
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--max-time',
    String(MAX_SECONDS),
    '--workers',
    '2',
    '--request-timeout',
    '20',
    '--generation-database',
    'none',
    '--no-color',
    '--report',
    'junit',
    '--report-dir',
    reportDir,
    ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
  ];
  say(`\n=== schemathesis as ${role} ===`);
  // Run in the report folder: Schemathesis keeps its own state in `.schemathesis/` of its working directory.
  const child = spawn(ST, args, { cwd: reportDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(path.join(reportDir, 'output.txt'));
  // Tokens are secrets: what is printed and kept says which role, never the token.
  const clean = (b: Buffer) => (token ? b.toString().split(token).join(`<${role} token>`) : b.toString());
  child.stdout.on('data', (b: Buffer) => {
    process.stdout.write(clean(b));
    log.write(clean(b));
  });
  child.stderr.on('data', (b: Buffer) => {
    process.stderr.write(clean(b));
    log.write(clean(b));
  });
  return new Promise((resolve) => child.once('exit', (code) => log.end(() => resolve(code ?? 1))));
}

/** The failed operations in a JUnit report, with the statuses Schemathesis saw. */
function failuresOf(role: string, reportDir: string): Failure[] {
  const file = fs.readdirSync(reportDir).find((f) => f.endsWith('.xml'));
  if (!file) return [];
  const xml = fs.readFileSync(path.join(reportDir, file), 'utf8');
  const out: Failure[] = [];
  // Only test cases with a body (a self-closing one passed).
  for (const m of xml.matchAll(/<testcase name="([^"]+)"[^>]*?(?<!\/)>([\s\S]*?)<\/testcase>/g)) {
    if (!/<(failure|error)\b/.test(m[2])) continue;
    const text = m[2]
      .replace(/&apos;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    const statuses = [...new Set([...text.matchAll(/\[(5\d\d)\]/g)].map((s) => s[1]))];
    const requests = [...text.matchAll(/^\s*(curl .+?)(?:<\/failure>)?$/gm)].map((r) => r[1]);
    out.push({ role, operation: m[1], status: statuses.join(',') || 'error', requests });
  }
  return out;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  ensureSchemathesis();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-st-'));
  stack = new Stack(dir, PORTS);
  await stack.start();
  const http = new Http(stack.base, 100);
  const mint = async (role: string, unit?: string) => {
    const c = await http.call('mint', 'POST', '/v1/tokens', stack!.adminToken, {
      role,
      unit,
      name: `schemathesis-${role}`,
    });
    if (c.final?.status !== 201) throw new Error(`POST /v1/tokens (${role}) answered ${c.final?.status}`);
    return c.final.body.token as string;
  };
  const roles: Array<[string, string | null]> = [
    ['supervisor', await mint('supervisor')],
    ['department', await mint('department', 'district-tax')],
    ['auditor', await mint('auditor')],
    ['admin', stack.adminToken],
    ['no token', null],
  ];
  const failures: Failure[] = [];
  const codes: Record<string, number> = {};
  for (const [role, token] of roles) {
    const reportDir = path.join(dir, role.replace(/\s/g, '-'));
    fs.mkdirSync(reportDir);
    codes[role] = await runSt(role, stack.base, token, reportDir);
    failures.push(...failuresOf(role, reportDir));
    // A run that failed without a failed operation (a crash of the tool, the API gone) is a failure too.
    if (codes[role] !== 0 && !failures.some((f) => f.role === role))
      failures.push({ role, operation: '(the run itself)', status: `st exited ${codes[role]}`, requests: [] });
  }
  const apiExits = [stack.api, stack.worker].flatMap((p) =>
    p.unplannedExits.map(() => `${p.name} exited during the run`),
  );

  say('\n| role | operation | server error |');
  say('|---|---|---|');
  for (const f of failures) say(`| ${f.role} | ${f.operation} | ${f.status} |`);
  if (!failures.length) say('| all | — | none |');
  for (const f of failures) for (const r of f.requests) say(`${f.role}, ${f.operation}: ${r}`);
  for (const e of apiExits) say(`FAIL: ${e}`);
  say(
    `\n${failures.length} failing operation(s) across ${roles.length} roles in ${Math.round((Date.now() - t0) / 1000)} s; reports in ${dir}`,
  );
  await stack.stopAll();
  process.exit(failures.length || apiExits.length ? 1 : 0);
}

main().catch(async (err: Error) => {
  process.stderr.write(`schemathesis: ${err.stack ?? err.message}\n`);
  await stack?.stopAll().catch(() => undefined);
  process.exit(2);
});

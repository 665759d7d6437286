import { ORGANISATION } from '../../libs/domain/organisation';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthContaining, weekContaining } from '../../libs/domain/period';
import { OFFICE_SCOPE, REPORT_TYPES } from '../../libs/domain/reports';
import { IMPORT_PARALLELISM } from '../../apps/api/src/files/imports.service';
import { launchChromium } from '../support/browser';
import {
  bearer,
  http,
  mintToken,
  ownDatabase,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
} from '../support/service';
import type { RunningApi, RunningWorker } from '../support/service';

// Documents and files on the real stack: the ladder's documents in official layout as JSON, HTML
// (printed to PDF in Chromium) and Word (read back, and converted by LibreOffice); the 台账 out as
// Excel, read back with exceljs; work orders in from .xlsx and .csv (UTF-8 and GBK).
const run = promisify(execFile);
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let pg: PgClient;
const h: Record<string, Record<string, string>> = {};
const OWN = 'district-power-supply';
const OWN_NAME = '区供电公司';
const FAST = {
  deadline: 'PT1S',
  remind: [],
  rungs: [{ rung: 1, grace: 'PT1S' }, { rung: 2, grace: 'PT1S' }, { rung: 3, grace: 'PT1S' }, { rung: 4 }],
};
const stamp = Date.now();

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function file(pathname: string, who = 'supervisor') {
  const res = await fetch(api.url + pathname, { headers: h[who] });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    res,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function docxText(buf: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(buf);
  const xml = await zip.file('word/document.xml')!.async('string');
  return xml.replace(/<w:p[ >]/g, '\n$&').replace(/<[^>]+>/g, '');
}

/** Words a reader would see that are not Chinese: English words and unit codes (ticket numbers are data). */
function foreignWords(text: string): string[] {
  return (text.match(/[A-Za-z][A-Za-z_-]{2,}/g) ?? []).filter((w) => !/^(NotoSerif|FangSong|SimSun)/.test(w));
}

async function start(key: string, over: Record<string, unknown> = {}) {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key, kind: 'public_message', title: '路灯不亮', unit: OWN, ...over },
    h.supervisor,
  );
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

beforeAll(async () => {
  // A database of its own: the report scan reads every report there is.
  config.DATABASE_URL = await ownDatabase();
  worker = await startWorker(config);
  api = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  // Token names are what the timeline says who acted: people's names, as in the office.
  h.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, `督查室王督导${stamp}`));
  h.own = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', OWN, `供电公司李经办${stamp}`));
  h.other = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax', `税务局赵经办${stamp}`));
  await pg.query(`UPDATE unit SET leader = '{"name":"王五","title":"副总经理","phone":null}' WHERE code = $1`, [OWN]);
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await pg?.end();
});

describe('the 事项编号', () => {
  it('is the ticket number where given, else sequential per kind and year, once per obligation', async () => {
    const ticket = await start(`doc-ticket-${stamp}`, {
      kind: 'work_order',
      subject: { ticketNumber: `T${stamp}`, requester: '张先生' },
    });
    expect(ticket.number).toBe(`T${stamp}`);
    const many = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => start(`doc-seq-${stamp}-${i}`)));
    const numbers = many.map((o) => o.number);
    expect(new Set(numbers).size).toBe(6);
    for (const n of numbers) expect(n).toMatch(/^督民〔\d{4}〕第\d{4}号$/);
    // A retried start keeps its number; so does the state after a command and in the list.
    const again = await start(`doc-seq-${stamp}-1`);
    expect(again.number).toBe(numbers[0]);
    const found = await http(
      api.url,
      'GET',
      `/v1/obligations?q=${encodeURIComponent(numbers[2])}`,
      undefined,
      h.supervisor,
    );
    expect(found.body.items.map((o: { id: string }) => o.id)).toEqual([many[2].id]);
    const escalated = await http(
      api.url,
      'POST',
      `/v1/obligations/${many[3].id}/escalation`,
      { reason: '群众反映强烈' },
      h.supervisor,
    );
    expect(escalated.body.number).toBe(numbers[3]);
  });
});

describe('the ladder’s documents', () => {
  let docs: Array<Record<string, any>>;
  let obligation: Record<string, any>;

  beforeAll(async () => {
    obligation = await start(`doc-climb-${stamp}`, { policy: FAST });
    docs = await until(
      'four documents',
      async () =>
        (await http(api.url, 'GET', `/v1/obligations/${obligation.id}/documents`, undefined, h.own)).body as any[],
      (d) => Array.isArray(d) && d.length === 4,
    );
  });

  it('lists each with its id, 主送 and 抄送 by Chinese name, the human 事项编号 and Chinese times', () => {
    expect(docs.map((d) => [d.rung, d.kind])).toEqual([
      [1, 'notice'],
      [2, 'listing'],
      [3, 'interview'],
      [4, 'referral'],
    ]);
    for (const d of docs) {
      expect(Object.keys(d).sort()).toEqual(
        expect.arrayContaining(['id', 'rung', 'kind', 'number', 'title', 'body', 'issuedAt', 'to', 'cc']),
      );
      expect(d.body).toContain(obligation.number);
      expect(d.body).not.toContain(obligation.id);
      expect(d.body).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      expect(foreignWords(d.body)).toEqual([]);
      expect(d.body).toMatch(/督导落实组\n\d{4}年\d{1,2}月\d{1,2}日/);
    }
    expect(docs[0].to).toBe(OWN_NAME);
    expect(docs[0].cc).toEqual([`${OWN_NAME}副总经理王五`]);
    expect(docs[0].body).toContain(`${OWN_NAME}：`);
    expect(docs[0].body).toContain('将予以挂牌督办');
    expect(docs[1].to).toBe(OWN_NAME);
    expect(docs[2].body).toContain('约谈时间：');
    expect(docs[2].body).toContain('约谈地点：');
    expect(docs[3].to).toBe('区纪委监委');
    expect(docs[3].cc).toContain('区纪委监委派驻组');
  });

  it('prints each as an A4 page in Chinese, every glyph in a CJK font', async () => {
    const browser = await launchChromium();
    try {
      for (const d of docs) {
        const html = await file(`/v1/documents/${d.id}/html`, 'own');
        expect(html.status).toBe(200);
        const text = html.body.toString();
        expect(text).toContain(`<p class="to">${d.to}：</p>`);
        const page = await browser.newPage();
        await page.setContent(text);
        const visible = (await page.evaluate('document.body.innerText')) as string;
        expect(foreignWords(visible)).toEqual([]);
        expect(visible).toContain(d.number);
        // Every character of the page has a font that draws it (no tofu).
        expect(
          await page.evaluate(`document.fonts.check('16px "Noto Serif CJK SC"', ${JSON.stringify(visible)})`),
        ).toBe(true);
        const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBeGreaterThanOrEqual(1);
        expect(pdf.toString('latin1')).toMatch(/NotoSerifCJK/);
        // The page rasterised: far more than a blank page's bytes.
        expect((await page.screenshot({ fullPage: true })).length).toBeGreaterThan(20_000);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });

  it('downloads each as a Word file that LibreOffice opens, in Chinese with the unit’s name', async () => {
    for (const d of docs) {
      const docx = await file(`/v1/documents/${d.id}/docx`, 'own');
      expect(docx.status).toBe(200);
      expect(docx.type).toContain('wordprocessingml');
      expect(docx.res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
      const text = await docxText(docx.body);
      expect(text).toContain(d.title);
      expect(text).toContain(d.number);
      expect(text).toContain(obligation.number);
      expect(text).not.toContain(OWN);
      expect(foreignWords(text)).toEqual([]);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-docx-'));
    const notice = await file(`/v1/documents/${docs[0].id}/docx`, 'own');
    fs.writeFileSync(path.join(dir, 'notice.docx'), notice.body);
    await run(
      'soffice',
      [
        `-env:UserInstallation=file://${dir}/profile`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        dir,
        path.join(dir, 'notice.docx'),
      ],
      {
        timeout: 120_000,
      },
    );
    const pdf = fs.readFileSync(path.join(dir, 'notice.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/CJK|FangSong|SimSun|Song/);
    // What LibreOffice laid out, read back as text (every glyph mapped), and its first page rasterised.
    const { stdout: laidOut } = await run('pdftotext', [path.join(dir, 'notice.pdf'), '-']);
    expect(laidOut.replace(/\s+/g, '')).toContain(`${OWN_NAME}：`);
    expect(laidOut.replace(/\s+/g, '')).toContain('督办通知单');
    await run('pdftoppm', [
      '-png',
      '-r',
      '40',
      '-f',
      '1',
      '-l',
      '1',
      path.join(dir, 'notice.pdf'),
      path.join(dir, 'page'),
    ]);
    const png = fs.readFileSync(path.join(dir, 'page-1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('tells the timeline in Chinese, units by name and times as 2026年12月1日 14:30', async () => {
    const timeline = await http(api.url, 'GET', `/v1/obligations/${obligation.id}/timeline`, undefined, h.own);
    expect(timeline.status).toBe(200);
    const text = timeline.body.entries.map((e: { text: string }) => e.text).join('\n');
    expect(text).toContain('升级为第4级“问责”');
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(foreignWords(text)).toEqual([]);
  });

  it('keeps another unit’s documents from a department', async () => {
    expect((await file(`/v1/documents/${docs[0].id}/html`, 'other')).status).toBe(403);
    expect((await file(`/v1/documents/00000000-0000-4000-8000-000000000000/docx`)).status).toBe(404);
    expect((await file(`/v1/documents/not-a-uuid/docx`)).status).toBe(404);
  });
});

describe('the 台账 out', () => {
  it('exports the list’s obligations with its filters: headers, date cells, the same count', async () => {
    const list = await http(api.url, 'GET', `/v1/obligations?unit=${OWN}&limit=1`, undefined, h.supervisor);
    const res = await file(`/v1/exports/obligations.xlsx?unit=${OWN}`);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([
      '事项编号',
      '事项',
      '类别',
      '责任单位',
      '协办单位',
      '交办时间',
      '办理期限',
      '状态',
      '督办层级',
      '颜色',
      '是否逾期',
      '办结时间',
    ]);
    expect(ws.rowCount - 1).toBe(list.body.total);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const row = ws.getRow(2);
    expect(row.getCell(4).value).toBe(OWN_NAME);
    expect(row.getCell(6).value).toBeInstanceOf(Date);
    expect(ws.getColumn(2).width).toBeGreaterThan(8);
    const board = await file('/v1/exports/board.xlsx');
    expect(board.status).toBe(200);
  });
});

async function upload(body: Buffer, name: string, fields: Record<string, string>) {
  const form = new FormData();
  form.append('file', new Blob([body]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${api.url}/v1/imports/obligations`, { method: 'POST', headers: h.supervisor, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

async function workOrders(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.addRow(['工单编号', '事项', '责任单位', '办理期限', '诉求人']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const started = async (prefix: string) =>
  Number((await pg.query(`SELECT count(*) FROM obligation WHERE key LIKE $1`, [`${prefix}%`])).rows[0].count);

describe('work orders in', () => {
  it('gives the template with the binding columns', async () => {
    const res = await file('/v1/imports/obligations/template.xlsx?kind=work_order');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    expect((wb.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(
      expect.arrayContaining(['工单编号', '事项', '责任单位', '办理期限', '诉求人', '协办单位']),
    );
  });

  it('dry-runs a file with bad rows, then starts only the good ones, and nothing more the second time', async () => {
    const p = `WO${stamp}`;
    const xlsx = await workOrders([
      [`${p}-1`, '企业反映用电报装慢', OWN_NAME, '2026-12-20 18:00', '张先生'],
      [`${p}-2`, '企业反映停电频繁', OWN, new Date(Date.UTC(2026, 11, 21, 9, 30)), ''],
      [`${p}-3`, '', '不存在的单位', '明天', ''],
      [`${p}-1`, '企业反映用电报装慢', OWN_NAME, '2026-12-20 18:00', '张先生'],
    ]);
    const dry = await upload(xlsx, 'wo.xlsx', { kind: 'work_order', dryRun: 'true' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, valid: 2, invalid: 2, created: 0 });
    const bad = dry.body.rows.find((r: { row: number }) => r.row === 4);
    expect(bad.details.map((d: { field: string }) => d.field).sort()).toEqual(['事项', '办理期限', '责任单位'].sort());
    expect(dry.body.rows.find((r: { row: number }) => r.row === 5).details[0].reason).toContain('第2行');
    expect(await started(p)).toBe(0);

    const real = await upload(xlsx, 'wo.xlsx', { kind: 'work_order', dryRun: 'false' });
    expect(real.body).toMatchObject({ dryRun: false, created: 2, invalid: 2 });
    expect(await started(p)).toBe(2);
    const one = await http(api.url, 'GET', `/v1/obligations/${real.body.rows[0].id}`, undefined, h.supervisor);
    expect(one.body).toMatchObject({ number: `${p}-1`, unit: OWN, dueAt: '2026-12-20T18:00:00+08:00' });
    const two = await http(api.url, 'GET', `/v1/obligations/${real.body.rows[1].id}`, undefined, h.supervisor);
    expect(two.body.dueAt).toBe('2026-12-21T09:30:00+08:00');

    const twice = await upload(xlsx, 'wo.xlsx', { kind: 'work_order', dryRun: 'false' });
    expect(twice.body).toMatchObject({ created: 0, existing: 2 });
    expect(await started(p)).toBe(2);
  });

  it('reads CSV in GBK and in UTF-8 with a BOM', async () => {
    const p = `CSV${stamp}`;
    const csv = (n: number) =>
      `工单编号,事项,责任单位,办理期限\r\n${p}-${n},企业诉求：办电,${OWN_NAME},2026-12-20 18:00\r\n`;
    const gbk = await upload(iconv.encode(csv(1), 'gbk'), 'wo.csv', { kind: 'work_order' });
    expect(gbk.body).toMatchObject({ created: 1, invalid: 0 });
    const bom = await upload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv(2))]), 'wo.csv', {
      kind: 'work_order',
    });
    expect(bom.body).toMatchObject({ created: 1, invalid: 0 });
    const title = await pg.query(`SELECT state->>'title' AS t FROM obligation WHERE key = $1`, [`${p}-1`]);
    expect(title.rows[0].t).toBe('企业诉求：办电');
  });

  it('refuses a truncated or garbage file (400) and an oversized one (413), starting nothing', async () => {
    const xlsx = await workOrders([[`GARBAGE${stamp}-1`, '事项', OWN_NAME, '2026-12-20 18:00', '']]);
    const truncated = await upload(xlsx.subarray(0, Math.floor(xlsx.length / 2)), 'wo.xlsx', { kind: 'work_order' });
    expect(truncated.status).toBe(400);
    expect(truncated.body.details[0].field).toBe('file');
    const garbage = await upload(Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]), 'wo.csv', { kind: 'work_order' });
    expect(garbage.status).toBe(400);
    const big = await upload(Buffer.alloc(11 * 1024 * 1024, 0x41), 'big.csv', { kind: 'work_order' });
    expect(big.status).toBe(413);
    expect(big.body.message).toBe('文件过大');
    expect(await started(`GARBAGE${stamp}`)).toBe(0);
  });
});

describe('reports as Word, Excel and print', () => {
  it('carries 文号, 落款 and 印发日期, in Chinese, without raw times', async () => {
    const month = '2026-10';
    expect(
      (await http(api.url, 'POST', `/v1/reports/district_bulletin/${month}/regenerate`, undefined, h.supervisor))
        .status,
    ).toBe(200);
    const html = (await file(`/v1/reports/district_bulletin/${month}/html`)).body.toString();
    expect(html).toMatch(/营商通〔2026〕第10期/);
    expect(html).toContain('印发日期：');
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    const docx = await file(`/v1/reports/district_bulletin/${month}/docx`);
    expect(docx.status).toBe(200);
    const text = await docxText(docx.body);
    expect(text).toContain('2026年10月营商环境工作通报（蓝黄红）');
    expect(text).toContain('营商通〔2026〕第10期');
    expect(text).toContain('印发日期：');
    expect(foreignWords(text)).toEqual([]);
    const xlsx = await file(`/v1/reports/district_bulletin/${month}/xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(wb.worksheets.length).toBeGreaterThan(1);
    expect(wb.worksheets[0].getCell('A1').value).toBe('2026年10月营商环境工作通报（蓝黄红）');
  });
});

describe('every report type, in Chinese', () => {
  it('prints and writes each without English words, unit codes or raw times', async () => {
    const month = monthContaining(new Date()).text;
    const week = weekContaining(new Date()).text;
    const types = Object.keys(REPORT_TYPES) as Array<keyof typeof REPORT_TYPES>;
    for (const type of types) {
      const period = REPORT_TYPES[type].cadence === 'month' ? month : week;
      const res = await http(api.url, 'POST', `/v1/reports/${type}/${period}/regenerate`, undefined, h.supervisor);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const list = (await http(api.url, 'GET', `/v1/reports`, undefined, h.supervisor)).body as Array<{
      type: string;
      period: string;
      scope: string;
    }>;
    // The office and the seed's groups: other test files add groups whose names are test data (task-force-race-…).
    const seedScopes = new Set([OFFICE_SCOPE, ...ORGANISATION.groups.map((g) => g.code)]);
    const mine = list.filter((r) => (r.period === month || r.period === week) && seedScopes.has(r.scope));
    expect(new Set(mine.map((r) => r.type))).toEqual(new Set(types));
    // Names other test files gave their units and groups are their data, not the report's words.
    const seedNames = new Set([...ORGANISATION.units, ...ORGANISATION.groups].map((x) => x.name));
    const others = [
      ...(await http(api.url, 'GET', '/v1/units', undefined, h.supervisor)).body,
      ...(await http(api.url, 'GET', '/v1/groups', undefined, h.supervisor)).body,
    ]
      .map((x: { name: string }) => x.name)
      .filter((n: string) => !seedNames.has(n));
    const withoutTestData = (text: string) => others.reduce((t: string, n: string) => t.split(n).join(' '), text);
    for (const r of mine) {
      const at = `/v1/reports/${r.type}/${r.period}`;
      const q = `?scope=${encodeURIComponent(r.scope)}`;
      const html = (await file(`${at}/html${q}`)).body.toString();
      const visible = withoutTestData(html.replace(/<style>[^]*?<\/style>/, '').replace(/<[^>]+>/g, ''));
      expect(foreignWords(visible), `${r.type} ${r.scope}`).toEqual([]);
      expect(visible).not.toMatch(/\d{4}-\d{2}-\d{2}T|\d{4}-W\d{2}/);
      expect(visible).not.toContain('工作组工作组');
      expect(visible).toMatch(/〔\d{4}〕第\d+期/);
      expect(visible).toContain('印发日期：');
      const docx = withoutTestData(await docxText((await file(`${at}/docx${q}`)).body));
      expect(foreignWords(docx), `${r.type} ${r.scope} docx`).toEqual([]);
      expect(docx).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    }
  }, 120_000);
});

describe('an import’s speed', () => {
  it('starts 500 rows at least half as fast as bare workflow.start at the same parallelism', async () => {
    const rows = 500;
    const p = `SPEED${stamp}`;
    const xlsx = await workOrders(
      Array.from({ length: rows }, (_, i) => [`${p}-${i}`, `批量工单${i}`, OWN_NAME, '2026-12-20 18:00', '']),
    );
    const t0 = performance.now();
    const res = await upload(xlsx, 'wo.xlsx', { kind: 'work_order' });
    const importSeconds = (performance.now() - t0) / 1000;
    expect(res.body).toMatchObject({ created: rows, invalid: 0 });

    const temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
    const t1 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IMPORT_PARALLELISM }, async () => {
        while (next < rows) {
          const i = next++;
          await temporal.workflow.start('baselineWorkflow', {
            taskQueue: `baseline-${stamp}`,
            workflowId: `baseline-${stamp}-${i}`,
          });
        }
      }),
    );
    const bareSeconds = (performance.now() - t1) / 1000;
    await temporal.connection.close();
    const ratio = bareSeconds / importSeconds;
    console.log(
      `import: ${rows} rows in ${importSeconds.toFixed(1)} s (${Math.round(rows / importSeconds)}/s); bare workflow.start: ${bareSeconds.toFixed(1)} s (${Math.round(rows / bareSeconds)}/s); ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeGreaterThanOrEqual(0.5);
  }, 300_000);
});

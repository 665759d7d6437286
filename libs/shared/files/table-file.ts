import { parseString } from '@fast-csv/parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Cell } from '../../domain/import-rows';

// A spreadsheet brought in: .xlsx (read by exceljs) or .csv in UTF-8 (with or without BOM) or GBK,
// as Chinese Excel saves it. The first row is the header. Anything else is unreadable.

export class UnreadableFile extends Error {}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface Table {
  header: string[];
  rows: Cell[][];
}

/** CSV text: UTF-8 if it decodes as such (a BOM says so outright), else GBK. */
export function decodeCsv(buf: Buffer): string {
  if (buf.subarray(0, 3).equals(BOM)) return buf.subarray(3).toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return iconv.decode(buf, 'gbk');
  }
}

function cellOf(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (v instanceof Date || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellOf(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return null;
  }
  return String(v);
}

async function readXlsx(buf: Buffer): Promise<Table> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (err) {
    throw new UnreadableFile(`不是可读取的 Excel 文件（${(err as Error).message.slice(0, 80)}）`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new UnreadableFile('Excel 文件中没有工作表');
  const rows: Cell[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellOf);
    rows[n - 1] = values;
  });
  const [header = [], ...data] = Array.from(rows, (r) => r ?? []);
  return { header: header.map((h) => (h === null ? '' : String(h).trim())), rows: data };
}

async function readCsv(buf: Buffer): Promise<Table> {
  const textContent = decodeCsv(buf);
  // Control characters or undecodable bytes: a binary file, not text.
  const binary = [...textContent].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') || code === 0xfffd;
  });
  if (binary) throw new UnreadableFile('不是文本格式的 CSV 文件');
  const rows = await new Promise<string[][]>((resolve, reject) => {
    const out: string[][] = [];
    parseString<string[], string[]>(textContent, { ignoreEmpty: true, trim: true, strictColumnHandling: false })
      .on('error', reject)
      .on('data', (r: string[]) => out.push(r))
      .on('end', () => resolve(out));
  }).catch((err: Error) => {
    throw new UnreadableFile(`CSV 文件无法解析（${err.message.slice(0, 80)}）`);
  });
  const [header = [], ...data] = rows;
  return { header: header.map((h) => h.trim()), rows: data };
}

/** The file's header and data rows; an empty, truncated or foreign file is UnreadableFile. */
export async function readTable(buf: Buffer): Promise<Table> {
  if (buf.length === 0) throw new UnreadableFile('文件为空');
  const table = buf.subarray(0, 4).equals(ZIP) ? await readXlsx(buf) : await readCsv(buf);
  if (table.header.filter(Boolean).length === 0) throw new UnreadableFile('第一行须为表头');
  return table;
}

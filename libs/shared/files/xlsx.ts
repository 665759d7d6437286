import ExcelJS from 'exceljs';
import { SHANGHAI_OFFSET_MS } from '../../domain/time';

// Spreadsheets out (台账, the board, reports): Chinese headers, real date cells, a frozen header
// row and widths that fit the content. exceljs writes and reads .xlsx (and the tests read it back).

export type CellValue = string | number | boolean | Date | null;

export interface SheetSpec {
  name: string;
  columns: Array<{ header: string; date?: boolean }>;
  rows: CellValue[][];
  /** Lines above the header row (a report's title and period). */
  heading?: string[];
}

/**
 * An instant as an Excel date cell showing Shanghai wall-clock time: Excel dates carry no zone,
 * and exceljs writes a Date's UTC fields, so the instant is moved by the offset.
 */
export function shanghaiCell(instant: string | Date | null): Date | null {
  if (!instant) return null;
  return new Date(new Date(instant).getTime() + SHANGHAI_OFFSET_MS);
}

/** Display width of a value in Excel's character units: a CJK character takes two. */
function width(v: CellValue, date: boolean): number {
  if (v === null) return 0;
  if (date || v instanceof Date) return 18;
  return [...String(v)].reduce((n, c) => n + (/[\u2e80-\uffff]/.test(c) ? 2 : 1), 0);
}

export async function workbook(sheets: SheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '督办系统';
  for (const spec of sheets) {
    const headRows = spec.heading?.length ?? 0;
    const ws = wb.addWorksheet(spec.name.slice(0, 31), {
      views: [{ state: 'frozen', ySplit: headRows + 1 }],
    });
    for (const line of spec.heading ?? []) {
      const row = ws.addRow([line]);
      row.font = { bold: true };
    }
    const header = ws.addRow(spec.columns.map((c) => c.header));
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEEEEE' } };
    for (const r of spec.rows) ws.addRow(r);
    spec.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      if (c.date) col.numFmt = 'yyyy"年"m"月"d"日" hh:mm';
      const widest = Math.max(width(c.header, false), ...spec.rows.map((r) => width(r[i] ?? null, !!c.date)));
      col.width = Math.min(60, Math.max(8, widest + 2));
    });
    if (spec.rows.length)
      ws.autoFilter = {
        from: { row: headRows + 1, column: 1 },
        to: { row: headRows + 1, column: spec.columns.length },
      };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Content-Disposition for a Chinese file name (RFC 6266 / 5987), with an ASCII fallback. */
export function attachment(name: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

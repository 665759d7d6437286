import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type IParagraphOptions,
} from 'docx';
import type { OfficialDocument } from '../../domain/official-document';
import { cellText, type ReportContent, type ReportPrintMeta } from '../../domain/reports';

// Word files (.docx, which Word and WPS open) of a document and of a report, built with `docx`
// from the same structures the HTML is printed from. Fonts as the 公文 standard names them:
// 方正小标宋 / 仿宋 where installed, falling back to the serif the machine has.

const A4 = { width: 11906, height: 16838 }; // twentieths of a point
const MARGINS = { top: 1440 * 1.45, bottom: 1440 * 1.37, left: 1440 * 1.1, right: 1440 * 1.03 };
const BODY_FONT = { ascii: 'FangSong', eastAsia: '仿宋', hAnsi: 'FangSong' };
const TITLE_FONT = { ascii: 'SimSun', eastAsia: '方正小标宋简体', hAnsi: 'SimSun' };
const pt = (n: number) => n * 2; // docx sizes are half-points

function text(t: string, o: { size?: number; bold?: boolean; color?: string; title?: boolean } = {}): TextRun {
  return new TextRun({
    text: t,
    size: pt(o.size ?? 16),
    bold: o.bold,
    color: o.color,
    font: o.title ? TITLE_FONT : BODY_FONT,
  });
}

function para(
  t: string,
  o: IParagraphOptions & { size?: number; bold?: boolean; color?: string; title?: boolean } = {},
) {
  const { size, bold, color, title, ...rest } = o;
  return new Paragraph({
    spacing: { line: 560, lineRule: 'exact' } as never,
    ...rest,
    children: [text(t, { size, bold, color, title })],
  });
}

const section = (children: Array<Paragraph | Table>) => ({
  properties: { page: { size: A4, margin: MARGINS } },
  children,
});

/** The document as a Word file. */
export async function documentDocx(d: OfficialDocument): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [
    para(d.issuer, { alignment: AlignmentType.CENTER, size: 22, bold: true, color: 'C00000', title: true }),
    para(d.number, { alignment: AlignmentType.CENTER }),
    new Paragraph({
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: 'C00000', space: 1 } },
      children: [],
    }),
    para(d.title, { alignment: AlignmentType.CENTER, size: 22, title: true, spacing: { before: 240, after: 240 } }),
    ...(d.to ? [para(`${d.to}：`)] : []),
    ...d.paragraphs.map((p) => para(p, { indent: { firstLine: 640 } })),
    ...(d.fields ?? []).map((f) => para(`${f.label}：${f.value}`)),
    para('', {}),
    para(d.signature, { alignment: AlignmentType.RIGHT }),
    para(d.date, { alignment: AlignmentType.RIGHT }),
    ...(d.cc.length
      ? [
          para('', {}),
          para(`抄送：${d.cc.join('，')}。`, {
            size: 14,
            border: {
              top: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 },
              bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 },
            },
          }),
        ]
      : []),
  ];
  return Packer.toBuffer(new Document({ title: d.title, creator: d.signature, sections: [section(children)] }));
}

function cell(t: string | number, header = false): TableCell {
  return new TableCell({
    children: [new Paragraph({ children: [text(cellText(t), { size: 10.5, bold: header })] })],
  });
}

/** The report as a Word file: its heading lines, each section's table, its 落款 and 印发日期. */
export async function reportDocx(r: ReportContent, meta: ReportPrintMeta): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [
    para(meta.issuer, { alignment: AlignmentType.CENTER, size: 20, bold: true, color: 'C00000', title: true }),
    para(meta.number, { alignment: AlignmentType.CENTER }),
    new Paragraph({
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: 'C00000', space: 1 } },
      children: [],
    }),
    para(r.title, { alignment: AlignmentType.CENTER, size: 20, title: true, spacing: { before: 240, after: 120 } }),
    para(meta.subtitle, { alignment: AlignmentType.CENTER, size: 12 }),
    ...meta.notes.map((n) => para(n, { size: 12 })),
  ];
  for (const s of r.sections) {
    children.push(para(s.heading, { size: 14, bold: true, spacing: { before: 240, after: 120 } }));
    if (s.rows.length === 0) {
      children.push(para(s.note ?? '无', { size: 12 }));
      continue;
    }
    children.push(
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [
          new TableRow({ tableHeader: true, children: s.columns.map((c) => cell(c, true)) }),
          ...s.rows.map((row) => new TableRow({ cantSplit: true, children: row.map((v) => cell(v)) })),
        ],
      }),
    );
    if (s.note) children.push(para(s.note, { size: 12 }));
  }
  children.push(
    para('', {}),
    para(meta.signature, { alignment: AlignmentType.RIGHT }),
    para(`印发日期：${meta.date}`, { alignment: AlignmentType.RIGHT }),
  );
  return Packer.toBuffer(new Document({ title: r.title, creator: meta.signature, sections: [section(children)] }));
}

// The official layout every document Duban issues goes through (党政机关公文格式, GB/T 9704 in
// spirit): 发文机关 header, 文号, title, 主送, body, fields to fill, 抄送, 落款 and date. One
// structure, rendered to text (the API's `body`), to print-ready HTML here and to Word in
// libs/shared/files. Any new document kind (催办通知书, …) builds an OfficialDocument and gets all three.

export interface OfficialDocument {
  /** 发文机关, printed red at the top. */
  issuer: string;
  /** 文号, e.g. 督办〔2026〕第0007号. */
  number: string;
  title: string;
  /** 主送: the addressee, by Chinese name. */
  to: string;
  paragraphs: string[];
  /** Lines to fill in by hand or when known (约谈时间、地点…), printed as label：value. */
  fields?: Array<{ label: string; value: string }>;
  /** 抄送: by Chinese name. */
  cc: string[];
  /** 落款. */
  signature: string;
  /** 成文日期, 2026年12月1日. */
  date: string;
}

/** The office that issues the ladder's documents and the reports (seed 二、(十) 督导落实组). */
export const ISSUING_OFFICE = '区持续深入优化营商环境和推进政府职能转变领导小组办公室';
export const SIGNATURE = `${ISSUING_OFFICE}督导落实组`;
/** Where a field is to be filled by hand. */
export const BLANK = '＿＿＿＿＿＿＿＿';

/** The document as plain text, as the API's `body` and the notifications carry it. */
export function documentText(d: OfficialDocument): string {
  return [
    d.issuer,
    d.number,
    '',
    d.title,
    '',
    d.to ? `${d.to}：` : '',
    ...d.paragraphs.map((p) => `\u3000\u3000${p}`),
    ...(d.fields ?? []).map((f) => `${f.label}：${f.value}`),
    '',
    d.signature,
    d.date,
    ...(d.cc.length ? ['', `抄送：${d.cc.join('，')}。`] : []),
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A4 print styles shared by documents and reports: 2.5cm margins, serif CJK, no break inside a row. */
export const PRINT_CSS = `
@page{size:A4;margin:2.54cm 2.6cm 2.4cm 2.8cm}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun","FangSong",serif;font-size:16pt;line-height:1.75;margin:0 auto;max-width:16cm;color:#000}
.issuer{color:#c00;text-align:center;font-size:26pt;font-weight:bold;letter-spacing:.05em;margin:0}
.number{text-align:center;margin:.3em 0 0}
hr.red{border:0;border-top:2px solid #c00;margin:.4em 0 1.2em}
h1{text-align:center;font-size:20pt;margin:.8em 0}
p{margin:0;text-indent:2em;text-align:justify}
p.to,p.field{text-indent:0}
.sign{text-align:right;margin-top:2em}.sign p{text-indent:0;text-align:right}
.cc{margin-top:2em;border-top:1px solid #000;border-bottom:1px solid #000;padding:.2em 0;text-indent:0}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:12pt}th,td{border:1px solid #000;padding:.2em .4em;text-align:left;vertical-align:top;word-break:break-all}
th{background:#eee}thead{display:table-header-group}
@media screen{body{padding:2em}}
@media print{tr,.sign{break-inside:avoid}h2{break-after:avoid}.page-break{break-before:page}}`;

/** The document as an A4 print-ready HTML page. */
export function documentHtml(d: OfficialDocument): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${e(d.title)}（${e(d.number)}）</title>
<style>${PRINT_CSS}</style></head><body>
<p class="issuer">${e(d.issuer)}</p>
<p class="number">${e(d.number)}</p>
<hr class="red">
<h1>${e(d.title)}</h1>
${d.to ? `<p class="to">${e(d.to)}：</p>` : ''}
${d.paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n')}
${(d.fields ?? []).map((f) => `<p class="field">${e(f.label)}：${e(f.value)}</p>`).join('\n')}
<div class="sign"><p>${e(d.signature)}</p><p>${e(d.date)}</p></div>
${d.cc.length ? `<p class="cc">抄送：${d.cc.map(e).join('，')}。</p>` : ''}
</body></html>`;
}

/**
 * A document issued before the layout existed, rebuilt from its stored text so it prints the same
 * way: its first lines were the title and 编号, the last two the signature and date.
 */
export function layoutFromText(t: {
  number: string;
  title: string;
  body: string;
  to?: string | null;
}): OfficialDocument {
  const lines = t.body.split('\n').filter((l) => l.trim() !== '');
  const inner = lines.filter((l) => l !== t.title && !l.startsWith('编号：'));
  const date = inner.length >= 2 ? inner.pop()! : '';
  const signature = inner.length >= 1 ? inner.pop()! : SIGNATURE;
  const to = inner[0]?.endsWith('：') ? inner.shift()!.slice(0, -1) : (t.to ?? '');
  return { issuer: ISSUING_OFFICE, number: t.number, title: t.title, to, paragraphs: inner, cc: [], signature, date };
}

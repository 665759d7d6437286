import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { headerProblems, readRow, type ImportContext } from '../../libs/domain/import-rows';
import { decodeCsv } from '../../libs/shared/files/table-file';

const ctx: ImportContext = {
  unit: (t) => ({ 区商务局: 'district-commerce', 'district-commerce': 'district-commerce' })[t] ?? null,
  group: (t) => ({ 法治保障组: 'rule-of-law' })[t] ?? null,
};

describe('a spreadsheet row read into its obligation', () => {
  it('keys a new enterprise on its credit code and checks the code', () => {
    const header = ['统一社会信用代码', '企业名称', '注册日期', '责任单位'];
    const good = readRow(
      'enterprise_contact',
      header,
      ['91350100M000100Y43', '烟台某某科技有限公司', '2026-11-23', '区商务局'],
      ctx,
    );
    expect(good.details).toEqual([]);
    expect(good.request).toMatchObject({
      key: 'enterprise-contact:91350100M000100Y43',
      unit: 'district-commerce',
      subject: { creditCode: '91350100M000100Y43', registeredOn: '2026-11-23' },
    });
    const bad = readRow(
      'enterprise_contact',
      header,
      ['91350100M000100Y44', '某公司', '2026-02-30', '区不存在局'],
      ctx,
    );
    expect(bad.request).toBeNull();
    expect(bad.details.map((d) => d.field)).toEqual(['统一社会信用代码', '注册日期', '责任单位']);
  });

  it('keys a meeting item on its group, date and title, the same title the same key', () => {
    const header = ['工作组', '会议日期', '事项', '责任单位', '办理期限'];
    const row = ['法治保障组', '2026-11-24', '梳理涉企检查事项', '区商务局', '2026-12-10 18:00'];
    const a = readRow('meeting_item', header, row, ctx).request!;
    expect(a.key).toMatch(/^meeting-item:rule-of-law:2026-11-24:[0-9a-f]{16}$/);
    expect(readRow('meeting_item', header, [...row], ctx).request!.key).toBe(a.key);
    expect(readRow('meeting_item', header, [row[0], row[1], '另一事项', row[3], row[4]], ctx).request!.key).not.toBe(
      a.key,
    );
    expect(a).toMatchObject({ dueAt: '2026-12-10T18:00:00+08:00', startAt: '2026-11-24T00:00:00+08:00' });
  });

  it('reads an Excel date cell as the Shanghai wall clock it shows', () => {
    const header = ['工单编号', '事项', '责任单位', '办理期限'];
    const cell = new Date(Date.UTC(2026, 11, 10, 18, 0)); // what exceljs gives for 2026-12-10 18:00
    expect(readRow('work_order', header, ['T-1', '诉求', '区商务局', cell], ctx).request!.dueAt).toBe(
      '2026-12-10T18:00:00+08:00',
    );
  });

  it('names the missing columns of the header', () => {
    expect(headerProblems('work_order', ['工单编号', '事项']).map((p) => p.field)).toEqual(['责任单位', '办理期限']);
  });
});

describe('CSV text', () => {
  it('is UTF-8 with or without a BOM, else GBK', () => {
    const text = '工单编号,事项\nT-1,企业诉求';
    expect(decodeCsv(Buffer.from(text))).toBe(text);
    expect(decodeCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(text);
    expect(decodeCsv(iconv.encode(text, 'gbk'))).toBe(text);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORGANISATION } from '../../libs/domain/organisation';

// The organisation data file against the seed it comes from (docs/seed): every unit the seed
// lists for a group is in that group, under the same role.
const seed = fs.readFileSync(
  path.resolve(__dirname, '../../docs/seed/muping-business-environment-2023-07-20.txt'),
  'utf8',
);
const structure = seed.slice(seed.indexOf('二、机构设置'), seed.indexOf('三、', seed.indexOf('二、机构设置')));
const codeOf = new Map(ORGANISATION.units.map((u) => [u.name, u.code]));

/** The seed's section of each group, from its heading `(N)name` to the next one. */
function sections(): Map<string, string> {
  const heads = [...structure.matchAll(/^\((?:一|二|三|四|五|六|七|八|九|十|十一)\)(.+)$/gm)];
  return new Map(heads.map((h, i) => [h[1].trim(), structure.slice(h.index, heads[i + 1]?.index ?? structure.length)]));
}

const listed = (section: string, label: string) =>
  (new RegExp(`${label}:([^\\n]+)`).exec(section)?.[1] ?? '')
    .split(/[、,，]/)
    .map((s) => s.trim())
    .filter(Boolean);

describe('the organisation data file', () => {
  it('has the seed’s 11 groups (10 standing, 1 task force) and its 9 indicators', () => {
    expect(ORGANISATION.groups.map((g) => g.name)).toEqual([...sections().keys()]);
    expect(ORGANISATION.groups.filter((g) => g.kind === 'standing')).toHaveLength(10);
    expect(ORGANISATION.indicators).toHaveLength(9);
    const goal = /“(.+?)”等9个指标/.exec(seed)![1];
    for (const i of ORGANISATION.indicators)
      expect(goal.replace(/[‘’]/g, '“').replace(/“/g, '')).toContain(i.name.replace(/[“”]/g, ''));
  });

  it('puts every unit the seed lists for a group in that group, as lead or responsible', () => {
    const bySeed = sections();
    for (const group of ORGANISATION.groups) {
      const section = bySeed.get(group.name)!;
      expect(
        listed(section, '牵头单位').map((n) => codeOf.get(n)),
        group.name,
      ).toEqual(group.lead);
      const responsible = listed(section, '责任单位');
      const named = responsible.filter((n) => n !== '各部门' && n !== '各单位');
      for (const name of named) expect(codeOf.has(name), `${group.name}: ${name}`).toBe(true);
      expect(
        named.map((n) => codeOf.get(n)),
        group.name,
      ).toEqual(group.responsible);
      expect(group.responsibleAllUnits ?? false, group.name).toBe(responsible.includes('各部门'));
    }
  });

  it('names each unit once, with a stable code, and refers only to units and groups it has', () => {
    const codes = ORGANISATION.units.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(ORGANISATION.units.map((u) => u.name)).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[a-z][a-z0-9-]+$/);
    const groups = new Set(ORGANISATION.groups.map((g) => g.code));
    for (const g of ORGANISATION.groups) for (const u of [...g.lead, ...g.responsible]) expect(codes).toContain(u);
    for (const i of ORGANISATION.indicators) {
      expect(groups.has(i.group)).toBe(true);
      expect(codes).toContain(i.leadUnit);
    }
    expect(ORGANISATION.units.find((u) => u.name === '各镇街(园区)')).toMatchObject({ kind: 'town' });
  });
});

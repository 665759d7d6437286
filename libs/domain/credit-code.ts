// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from 31 (no I, O,
// S, V, Z), of which the last is a check character over the first 17.

const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character for the first 17 characters of a code. */
export function creditCodeCheck(first17: string): string {
  const sum = [...first17].reduce((s, c, i) => s + CHARS.indexOf(c) * WEIGHTS[i], 0);
  return CHARS[(31 - (sum % 31)) % 31];
}

/** Null when `code` is a valid code; else the reason, in Chinese. */
export function creditCodeProblem(code: string): string | null {
  if (!SHAPE.test(code)) return '须为 18 位统一社会信用代码（数字和大写字母，不含 I、O、S、V、Z）';
  return creditCodeCheck(code.slice(0, 17)) === code[17] ? null : '统一社会信用代码校验位不符，请核对';
}

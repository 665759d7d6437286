import type { FieldProblem } from './duration';

// The rules for named accounts, whoever creates them (the admin's API, the first start).

const USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;
export const MIN_PASSWORD_LENGTH = 10;

export function usernameProblems(username: string): FieldProblem[] {
  return USERNAME.test(username)
    ? []
    : [{ field: 'username', reason: '用户名须以小写字母开头，由 2–32 位小写字母、数字和 . _ - 组成' }];
}

/** A password long enough to resist guessing, and not the username itself. */
export function passwordProblems(password: string, username: string, field = 'password'): FieldProblem[] {
  if (password.length < MIN_PASSWORD_LENGTH) return [{ field, reason: `密码至少 ${MIN_PASSWORD_LENGTH} 位` }];
  if (password.length > 200) return [{ field, reason: '密码不能超过 200 位' }];
  if (password.toLowerCase().includes(username.toLowerCase())) return [{ field, reason: '密码不能包含用户名' }];
  if (new Set(password).size < 4) return [{ field, reason: '密码过于简单，请混用不同的字符' }];
  return [];
}

/** The roles as people call them: in the console, the timeline and the API's refusals. */
export const ROLE_NAMES: Record<string, string> = {
  supervisor: '督导落实组',
  department: '责任单位',
  auditor: '纪检审计',
  admin: '管理员',
};

import { createHash } from 'node:crypto';
import { canonicalJson as canonical } from './canonical-json';

// The case file an accountability referral takes along: named files plus a SHA-256 manifest, so
// that a changed byte anywhere is found by anyone holding the file (`npm run audit -- verify`).

export const CASE_FILE_FORMAT = 'duban-case-file/1';

export interface CaseFile {
  format: typeof CASE_FILE_FORMAT;
  obligationId: string;
  generatedAt: string;
  manifest: { algorithm: 'sha256'; files: Record<string, string> };
  /** SHA-256 of the manifest's canonical JSON: editing a file and its manifest line is found too. */
  manifestSha256: string;
  /** Each file's exact text (JSON documents, pretty-printed). */
  files: Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function buildCaseFile(obligationId: string, generatedAt: string, contents: Record<string, unknown>): CaseFile {
  const files = Object.fromEntries(Object.entries(contents).map(([name, v]) => [name, JSON.stringify(v, null, 2)]));
  const manifest = {
    algorithm: 'sha256' as const,
    files: Object.fromEntries(Object.entries(files).map(([name, text]) => [name, sha256(text)])),
  };
  return {
    format: CASE_FILE_FORMAT,
    obligationId,
    generatedAt,
    manifest,
    manifestSha256: sha256(canonical(manifest)),
    files,
  };
}

export interface CaseFileCheck {
  ok: boolean;
  files: number;
  problems: Array<{ file: string; problem: string }>;
}

/** Checks a case file as received (parsed JSON of unknown shape). */
export function verifyCaseFile(input: unknown): CaseFileCheck {
  const c = input as Partial<CaseFile> | null;
  if (!c || c.format !== CASE_FILE_FORMAT || !c.manifest?.files || !c.files) {
    return { ok: false, files: 0, problems: [{ file: '(case file)', problem: `不是 ${CASE_FILE_FORMAT} 格式的案卷` }] };
  }
  const problems: CaseFileCheck['problems'] = [];
  if (sha256(canonical(c.manifest)) !== c.manifestSha256)
    problems.push({ file: 'manifest', problem: '清单的 SHA-256 不符，清单被改动' });
  for (const [name, digest] of Object.entries(c.manifest.files)) {
    const text = c.files[name];
    if (typeof text !== 'string') problems.push({ file: name, problem: '清单中的文件缺失' });
    else if (sha256(text) !== digest) problems.push({ file: name, problem: 'SHA-256 不符，文件内容被改动' });
  }
  for (const name of Object.keys(c.files)) {
    if (!(name in c.manifest.files)) problems.push({ file: name, problem: '文件不在清单中' });
  }
  return { ok: problems.length === 0, files: Object.keys(c.files).length, problems };
}

/// <reference types="multer" />
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal } from '../auth/principal';
import { REASONS, textProblem } from '../edge/storable';
import { errorBody, invalidRequest } from '../http-errors';
import { ObligationsService } from '../obligations/obligations.service';

/** 5 MiB: a scanned receipt or a photo, not an archive. */
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

// Evidence is the uploader's bytes: only these types are served as what they say they are.
const SAFE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/** The Content-Type an evidence file is served with: its own if safe to show, else bytes to download. */
export function evidenceContentType(mime: string | null | undefined): string {
  const type = (mime ?? '').split(';')[0].trim().toLowerCase();
  return SAFE_TYPES.has(type) ? type : 'application/octet-stream';
}

export interface EvidenceFile {
  id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  /** Where it is downloaded, relative to the API. */
  path: string;
}

/** Evidence files of an obligation: uploaded by its unit, seen by whoever may see the obligation. */
@Injectable()
export class EvidenceService {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    private readonly obligations: ObligationsService,
  ) {}

  async upload(obligationId: string, file: Express.Multer.File | undefined, by: Principal): Promise<EvidenceFile> {
    if (!file || file.size === 0)
      throw new BadRequestException(
        errorBody(400, invalidRequest(['file']), [
          { field: 'file', reason: '须上传一个非空文件（multipart 字段名 file）' },
        ]),
      );
    await this.obligations.get(obligationId, by);
    // Multer reads the name as latin1; browsers send UTF-8 (Chinese file names). Cut by code
    // points, so a character is never split into half a surrogate pair.
    const name = Array.from(Buffer.from(file.originalname, 'latin1').toString('utf8')).slice(0, 200).join('');
    // The name and type are stored as text: what Postgres cannot store is refused by name, not a 500.
    for (const [field, text] of [
      ['file.name', name],
      ['file.type', file.mimetype ?? ''],
    ] as const) {
      const reason = textProblem(text);
      if (reason && reason !== REASONS.year)
        throw new BadRequestException(errorBody(400, `请求无效：${field}`, [{ field, reason }]));
    }
    const id = randomUUID();
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    const [row] = await this.db.query(
      `INSERT INTO evidence_file (id, obligation_id, name, mime, size, sha256, data, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING uploaded_at`,
      [
        id,
        obligationId,
        name,
        file.mimetype || 'application/octet-stream',
        file.size,
        sha256,
        file.buffer,
        { role: by.role, unit: by.unit, name: by.name },
      ],
    );
    return {
      id,
      name,
      mime: file.mimetype,
      size: file.size,
      sha256,
      uploadedAt: toShanghaiIso(row.uploaded_at),
      path: `/v1/obligations/${obligationId}/evidence/${id}`,
    };
  }

  async download(
    obligationId: string,
    fileId: string,
    viewer: Principal,
  ): Promise<{ name: string; mime: string; data: Buffer }> {
    await this.obligations.get(obligationId, viewer);
    const [row] = await this.db.query(
      `SELECT name, mime, data FROM evidence_file WHERE id = $1 AND obligation_id = $2`,
      [fileId, obligationId],
    );
    if (!row)
      throw new NotFoundException(
        errorBody(404, '未找到该佐证文件', [{ field: 'fileId', reason: '该事项没有这个文件' }]),
      );
    return row;
  }
}

/// <reference types="multer" />
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal } from '../auth/principal';
import { errorBody } from '../http-errors';
import { ObligationsService } from '../obligations/obligations.service';

/** 5 MiB: a scanned receipt or a photo, not an archive. */
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

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
        errorBody(400, 'Invalid request: file', [
          { field: 'file', reason: 'is required: a multipart field named file, not empty' },
        ]),
      );
    await this.obligations.get(obligationId, by);
    const id = randomUUID();
    // Multer reads the name as latin1; browsers send UTF-8 (Chinese file names).
    const name = Buffer.from(file.originalname, 'latin1').toString('utf8').slice(0, 200);
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
        errorBody(404, 'evidence file not found', [{ field: 'fileId', reason: 'no such file of this obligation' }]),
      );
    return row;
  }
}

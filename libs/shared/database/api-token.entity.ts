import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A bearer token of the API. Only the token's SHA-256 is stored (see token-crypto.ts); the token
 * itself is shown once, when it is minted. A department's token is bound to its unit.
 */
@Entity({ name: 'api_token' })
export class ApiToken {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: 'supervisor' | 'department' | 'auditor' | 'admin';

  @Column({ type: 'text', nullable: true })
  unit!: string | null;

  @Column({ type: 'text', name: 'token_hash', unique: true })
  tokenHash!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ObligationState } from '../../domain/obligation';

/**
 * The read model of one obligation: the workflow's latest state, written by its activities.
 * Columns hold what lists filter on; `state` holds the whole state the API returns.
 */
@Entity({ name: 'obligation' })
export class ObligationRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text', unique: true })
  key!: string;

  /** 事项编号 (see obligation-projection.ts). */
  @Column({ type: 'text', nullable: true })
  number!: string | null;

  @Column({ type: 'text', name: 'workflow_id' })
  workflowId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  unit!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'smallint' })
  rung!: number;

  @Column({ type: 'text' })
  color!: string;

  @Column({ type: 'timestamptz', name: 'due_at', nullable: true })
  dueAt!: Date | null;

  @Column({ type: 'jsonb' })
  state!: ObligationState;

  @Column({ type: 'integer' })
  revision!: number;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

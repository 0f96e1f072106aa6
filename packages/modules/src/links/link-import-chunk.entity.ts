import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LinkImport } from './link-import.entity';

/**
 * One `links.import` job's share of an import, and its outcome once it has run: the job
 * writes the counts and `finishedAt` in the transaction that imports the rows, so a chunk
 * with `finishedAt` set is never run (or counted) again.
 */
@Entity({ name: 'link_import_chunks' })
export class LinkImportChunk {
  @PrimaryColumn({ name: 'import_id', type: 'uuid', primaryKeyConstraintName: 'link_import_chunks_pkey' })
  importId!: string;

  /** From 0. */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'link_import_chunks_pkey' })
  chunk!: number;

  @ManyToOne(() => LinkImport, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'link_import_chunks_import_id_fkey' })
  linkImport?: LinkImport;

  /** Its rows are `firstRow` to `firstRow + rowCount - 1` (rows are numbered from 1). */
  @Column({ name: 'first_row', type: 'integer' })
  firstRow!: number;

  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;

  @Column({ type: 'integer', default: 0 })
  imported!: number;

  @Column({ type: 'integer', default: 0 })
  skipped!: number;

  @Column({ type: 'integer', default: 0 })
  failed!: number;

  /** Why the chunk could not run at all (its rows are then all failed); null when it ran. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  failure!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}

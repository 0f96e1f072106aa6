import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LinkImport } from './link-import.entity';

/**
 * A row of an import as it was sent, waiting for its chunk's job. Kept in the tenant's schema
 * rather than in the job payload; deleted once every chunk of the import has run.
 */
@Entity({ name: 'link_import_rows' })
@Index('link_import_rows_code_idx', ['importId', 'code'])
export class LinkImportRow {
  @PrimaryColumn({ name: 'import_id', type: 'uuid', primaryKeyConstraintName: 'link_import_rows_pkey' })
  importId!: string;

  /** The row's position in the import, from 1. */
  @PrimaryColumn({ name: 'row_number', type: 'integer', primaryKeyConstraintName: 'link_import_rows_pkey' })
  rowNumber!: number;

  @ManyToOne(() => LinkImport, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'link_import_rows_import_id_fkey' })
  linkImport?: LinkImport;

  /** As sent (null when it was not a string); checked by the job. */
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  code!: string | null;

  /** What was wrong with the row's shape when the import was accepted (an unknown field, say). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  problem!: string | null;
}

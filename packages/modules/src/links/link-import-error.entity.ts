import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LinkImport } from './link-import.entity';

/** A row of an import that was not imported, and why. */
@Entity({ name: 'link_import_errors' })
export class LinkImportError {
  @PrimaryColumn({ name: 'import_id', type: 'uuid', primaryKeyConstraintName: 'link_import_errors_pkey' })
  importId!: string;

  @PrimaryColumn({ name: 'row_number', type: 'integer', primaryKeyConstraintName: 'link_import_errors_pkey' })
  rowNumber!: number;

  @ManyToOne(() => LinkImport, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'link_import_errors_import_id_fkey' })
  linkImport?: LinkImport;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  code!: string | null;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../auth/user.entity';

/** One bulk import (`POST /api/links/imports`); its progress is the sum of its chunks. */
@Entity({ name: 'link_imports' })
export class LinkImport {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'link_imports_pkey' })
  id!: string;

  /** Rows asked for. */
  @Column({ type: 'integer' })
  total!: number;

  /** Chunks (and so `links.import` jobs) the rows were split into. */
  @Column({ name: 'chunk_count', type: 'integer' })
  chunkCount!: number;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'link_imports_created_by_fkey' })
  creator?: User | null;

  @Index('link_imports_created_at_idx')
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

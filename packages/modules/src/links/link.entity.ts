import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../auth/user.entity';

@Entity({ name: 'links' })
export class Link {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'links_pkey' })
  id!: string;

  /** The short code in /l/<code>; unique within the tenant. */
  @Index('links_code_key', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code!: string;

  /** Target of the redirect; always http(s). */
  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'links_created_by_fkey' })
  creator?: User | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

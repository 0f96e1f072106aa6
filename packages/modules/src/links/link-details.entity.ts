import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Link } from './link.entity';

/**
 * Release 2: a link's title and tags. A table of its own (expand/contract, docs/extending.md):
 * release 1's code never touches it, so release 1 runs on a schema at release 2, and a link
 * created by release 1 code on such a schema simply has no row here (read as: no tags, the
 * URL's host as title).
 */
@Entity({ name: 'link_details' })
export class LinkDetails {
  @PrimaryColumn({ name: 'link_id', type: 'uuid', primaryKeyConstraintName: 'link_details_pkey' })
  linkId!: string;

  @ManyToOne(() => Link, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'link_id', foreignKeyConstraintName: 'link_details_link_id_fkey' })
  link?: Link;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];
}

import { ApiProperty } from '@nestjs/swagger';

/** One row of the audit log as the API shows it (`AuditRecord`). */
export class AuditEntryView {
  @ApiProperty({ type: 'integer', example: 1042 })
  id!: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T09:30:00.000Z' })
  at!: string;

  @ApiProperty({ description: 'Who made the change.', example: 'platform-admin' })
  actor!: string;

  @ApiProperty({ description: 'What changed.', example: 'tenant.suspended' })
  action!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The tenant it concerns, if any.', example: 'initech' })
  tenantSlug!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the action recorded (before and after, the pool, …).', example: { pool: 'v1' } })
  details!: Record<string, unknown>;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView], description: 'Newest first.' })
  entries!: AuditEntryView[];
}

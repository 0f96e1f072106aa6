import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MoveEvent, MoveRecord } from '@mysaas/moves';
import { MOVE_METHODS, MOVE_STATES, type MoveMethod, type MoveState } from '@mysaas/tenancy';

export class MoveView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'acme' }) tenant!: string;
  @ApiProperty({ example: 'v1' }) from!: string;
  @ApiProperty({ example: 'v2' }) to!: string;
  @ApiProperty() fromRelease!: number;
  @ApiProperty() toRelease!: number;
  @ApiProperty({ enum: MOVE_STATES }) state!: MoveState;
  @ApiProperty({ enum: MOVE_METHODS, nullable: true, type: String }) method!: MoveMethod | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Rows the copy wrote.' }) rowsCopied!: number | null;
  @ApiProperty({ nullable: true, type: Number }) copyMs!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'From the hold on the tenant’s requests to the routing flip.' }) cutoverPauseMs!: number | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) switchedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class MoveEventView {
  @ApiProperty() at!: string;
  @ApiProperty({ example: 'copy' }) step!: string;
  @ApiProperty({ enum: ['started', 'done', 'failed', 'undone'] }) outcome!: MoveEvent['outcome'];
  @ApiProperty({ nullable: true, type: Number }) ms!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class MoveDetailView extends MoveView {
  @ApiPropertyOptional({ type: [MoveEventView] }) events!: MoveEventView[];
}

export class MoveListView {
  @ApiProperty({ type: [MoveView] }) moves!: MoveView[];
}

export function moveView(move: MoveRecord): MoveView {
  return {
    id: move.id,
    tenant: move.tenant,
    from: move.from,
    to: move.to,
    fromRelease: move.fromRelease,
    toRelease: move.toRelease,
    state: move.state,
    method: move.method,
    rowsCopied: move.rowsCopied,
    copyMs: move.copyMs,
    cutoverPauseMs: move.cutoverPauseMs,
    attempts: move.attempts,
    error: move.error,
    createdAt: move.createdAt.toISOString(),
    updatedAt: move.updatedAt.toISOString(),
    switchedAt: move.switchedAt?.toISOString() ?? null,
    finishedAt: move.finishedAt?.toISOString() ?? null,
  };
}

export function moveEventView(event: MoveEvent): MoveEventView {
  return { at: new Date(event.at).toISOString(), step: event.step, outcome: event.outcome, ms: event.ms, details: event.details };
}

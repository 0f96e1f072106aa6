import { Type } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MOVE_METHODS, MOVE_STATES, POOL_NAME_PATTERN, type MoveMethod, type MoveState } from '@mysaas/tenancy';

const SLUG = /^[a-z0-9-]{1,63}$/;

export class StartMoveDto {
  @ApiProperty({ description: 'The slug of the tenant to move.', example: 'acme' })
  @IsString({ message: 'tenant is required: the slug of the tenant to move' })
  @Matches(SLUG, { message: 'tenant must be a tenant slug' })
  tenant!: string;

  @ApiProperty({ description: 'The pool to move it to.', example: 'v2' })
  @IsString({ message: 'to is required: the name of the pool to move the tenant to' })
  @Matches(POOL_NAME_PATTERN, { message: 'to must be a pool name' })
  to!: string;

  @ApiPropertyOptional({
    description: '`logical` (copy while live, then stream the last changes; the source server needs wal_level=logical) or `blocking` (copy while the tenant is held). Absent: logical where the source allows it.',
    enum: MOVE_METHODS,
    example: 'logical',
  })
  @IsOptional()
  @IsIn(MOVE_METHODS, { message: `method must be one of ${MOVE_METHODS.join(', ')}` })
  method?: MoveMethod;
}

export class ListMovesQuery {
  @ApiPropertyOptional({ description: 'Only this tenant’s moves (its slug).', example: 'acme' })
  @IsOptional()
  @Matches(SLUG, { message: 'tenant must be a tenant slug' })
  tenant?: string;

  @ApiPropertyOptional({ description: 'Only moves in this state.', enum: MOVE_STATES, example: 'switched' })
  @IsOptional()
  @IsIn(MOVE_STATES, { message: `state must be one of ${MOVE_STATES.join(', ')}` })
  state?: MoveState;

  @ApiPropertyOptional({ description: 'Moves to return, newest first: 50 by default.', type: 'integer', minimum: 1, maximum: 500, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(500, { message: 'limit must be at most 500' })
  limit?: number;
}

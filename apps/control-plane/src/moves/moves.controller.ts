import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { ListMovesQuery, StartMoveDto } from './moves.dto';
import { MovesService } from './moves.service';
import { MoveDetailView, MoveListView, MoveView, moveEventView, moveView } from './moves.view';

const ID = { name: 'id', description: 'The move’s id.', format: 'uuid' };
const NOT_FOUND = 'MOVE_NOT_FOUND: no move has that id';
const BUSY = 'MOVE_BUSY: a mover is working on the move right now';

/** Live tenant moves between pools (`saas tenants move`, `saas moves …`). */
@PlatformApi('moves')
@Controller('platform/moves')
export class MovesController {
  constructor(private readonly moves: MovesService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Move a tenant to another pool, live',
    description:
      'Checks the move, records it and runs it in the background: copy while the tenant works, cutover behind a short hold, routing flip. Follow it with GET /platform/moves/{id}.',
  })
  @ApiAcceptedResponse({ type: MoveView, description: 'The move, recorded and under way.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, 'MOVE_POOL_UNKNOWN: no pool has that name'],
    404: ['MOVE_TENANT_UNKNOWN: no tenant has that slug'],
    409: [
      'MOVE_SAME_POOL: the tenant is on that pool already',
      'MOVE_POOL_NOT_ACCEPTING: the pool is draining or retired',
      'MOVE_TENANT_SUSPENDED: resume the tenant first',
      'MOVE_TENANT_NOT_READY: the tenant is still being provisioned',
      'MOVE_OLDER_RELEASE: the pool runs an older release',
      'MOVE_ALREADY_OPEN: the tenant has a move that is not finalized or rolled back',
      'MOVE_TARGET_NOT_EMPTY: the pool’s database already has a schema of that name',
      'MOVE_METHOD_UNAVAILABLE: logical was asked for but the source server has no wal_level=logical',
    ],
    413: [INVALID.tooLarge],
    503: ['MOVE_POOL_UNREACHABLE: a pool’s database server is unreachable; nothing was changed'],
  })
  async start(@Body() body: StartMoveDto): Promise<MoveView> {
    return moveView(await this.moves.start(body));
  }

  @Get()
  @ApiOperation({ summary: 'List moves, newest first' })
  @ApiOkResponse({ type: MoveListView, description: 'The moves, newest first.' })
  @ApiErrors({ 400: [INVALID.fields] })
  async list(@Query() query: ListMovesQuery): Promise<MoveListView> {
    return { moves: (await this.moves.list(query)).map(moveView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One move, with every step it took and its timings' })
  @ApiParam(ID)
  @ApiOkResponse({ type: MoveDetailView, description: 'The move and its steps.' })
  @ApiErrors({ 404: [NOT_FOUND] })
  async get(@Param('id') id: string): Promise<MoveDetailView> {
    const move = await this.moves.get(id);
    return { ...moveView(move), events: (await this.moves.events(id)).map(moveEventView) };
  }

  @Post(':id/rollback')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Put the tenant back on its old pool',
    description: 'A switched move copies back every write made on the new pool (behind a hold); an unfinished one is abandoned. Runs in the background.',
  })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: MoveView, description: 'The move, rolling back.' })
  @ApiErrors({
    404: [NOT_FOUND],
    409: ['MOVE_WRONG_STATE: the move is finalized or rolled back already', 'MOVE_ROLLBACK_IMPOSSIBLE: the old pool’s release cannot serve the new schema', BUSY],
  })
  async rollback(@Param('id') id: string): Promise<MoveView> {
    return moveView(await this.moves.rollback(id));
  }

  @Post(':id/finalize')
  @HttpCode(202)
  @ApiOperation({ summary: 'Drop the tenant’s old schema once a move is switched', description: 'After this the move cannot be rolled back. Runs in the background.' })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: MoveView, description: 'The move, finalizing.' })
  @ApiErrors({ 404: [NOT_FOUND], 409: ['MOVE_WRONG_STATE: only a switched move can be finalized', BUSY] })
  async finalize(@Param('id') id: string): Promise<MoveView> {
    return moveView(await this.moves.finalize(id));
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a failed or interrupted move again', description: 'A failed move starts its copy over; an interrupted one goes on from its last step.' })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: MoveView, description: 'The move, under way again.' })
  @ApiErrors({ 404: [NOT_FOUND], 409: ['MOVE_WRONG_STATE: the move is not failed or interrupted'] })
  async resume(@Param('id') id: string): Promise<MoveView> {
    return moveView(await this.moves.resume(id));
  }
}

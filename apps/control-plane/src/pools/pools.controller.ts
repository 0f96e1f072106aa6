import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { CreatePoolDto, UpdatePoolDto } from './dto/create-pool.dto';
import { PoolListView, PoolView } from './dto/pool.view';
import { poolView } from './pool.record';
import { PoolsService } from './pools.service';

const NAME = { name: 'name', description: 'The pool’s name.', example: 'v1' };
const NOT_FOUND = 'POOL_NOT_FOUND: no pool has that name';
const INVALID_UPSTREAM = 'POOL_INVALID_UPSTREAM: an upstream is not an app-server origin';

@PlatformApi('pools')
@Controller('platform/pools')
export class PoolsController {
  constructor(private readonly pools: PoolsService) {}

  @Get()
  @ApiOperation({ summary: 'List pools with their tenant counts, without database credentials' })
  @ApiOkResponse({ type: PoolListView, description: 'Every pool, by name.' })
  async list() {
    return { pools: (await this.pools.list()).map(({ pool, tenantCount }) => poolView(pool, tenantCount)) };
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get one pool, without its database credentials' })
  @ApiParam(NAME)
  @ApiOkResponse({ type: PoolView, description: 'The pool.' })
  @ApiErrors({ 404: [NOT_FOUND] })
  async get(@Param('name') name: string) {
    return poolView(await this.pools.get(name));
  }

  @Post()
  @ApiOperation({
    summary: 'Register a pool after checking its database server and app role',
    description: 'Connects to the server once, checks the app role is LOGIN NOINHERIT, and takes away what tenants must not have there (temporary objects).',
  })
  @ApiCreatedResponse({ type: PoolView, description: 'The pool, registered.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, INVALID_UPSTREAM, 'POOL_DATABASE_UNREACHABLE: cannot connect to databaseUrl', 'POOL_APP_ROLE_UNUSABLE: appRole is missing, cannot log in, or inherits'],
    409: ['POOL_NAME_TAKEN: a pool already has that name'],
    413: [INVALID.tooLarge],
  })
  async create(@Body() body: CreatePoolDto) {
    return poolView(await this.pools.create(body));
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change a pool’s upstreams or status', description: 'The gateways hear of it at once.' })
  @ApiParam(NAME)
  @ApiOkResponse({ type: PoolView, description: 'The pool as changed.' })
  @ApiErrors({ 400: [INVALID.fields, INVALID.json, INVALID_UPSTREAM], 404: [NOT_FOUND], 413: [INVALID.tooLarge] })
  async update(@Param('name') name: string, @Body() body: UpdatePoolDto) {
    return poolView(await this.pools.update(name, body));
  }
}

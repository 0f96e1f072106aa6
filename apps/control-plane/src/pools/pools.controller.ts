import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { CreatePoolDto, UpdatePoolDto } from './dto/create-pool.dto';
import { poolView } from './pool.record';
import { PoolsService } from './pools.service';

@Controller('platform/pools')
export class PoolsController {
  constructor(private readonly pools: PoolsService) {}

  @Get()
  async list() {
    return { pools: (await this.pools.list()).map(({ pool, tenantCount }) => poolView(pool, tenantCount)) };
  }

  @Get(':name')
  async get(@Param('name') name: string) {
    return poolView(await this.pools.get(name));
  }

  @Post()
  async create(@Body() body: CreatePoolDto) {
    return poolView(await this.pools.create(body));
  }

  @Patch(':name')
  async update(@Param('name') name: string, @Body() body: UpdatePoolDto) {
    return poolView(await this.pools.update(name, body));
  }
}

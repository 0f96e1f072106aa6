import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PoolMigrationsController } from './pool-migrations.controller';
import { PoolsController } from './pools.controller';
import { PoolsRepository } from './pools.repository';
import { PoolsService } from './pools.service';

@Module({
  imports: [AuditModule],
  controllers: [PoolsController, PoolMigrationsController],
  providers: [PoolsRepository, PoolsService],
  exports: [PoolsRepository, PoolsService],
})
export class PoolsModule {}

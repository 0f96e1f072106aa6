import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { JobsModule } from '../jobs/jobs.module';
import { PoolsModule } from '../pools/pools.module';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';

@Module({
  imports: [AuditModule, PoolsModule, JobsModule],
  controllers: [TenantsController],
  providers: [TenantsRepository, TenantsService],
})
export class TenantsModule {}

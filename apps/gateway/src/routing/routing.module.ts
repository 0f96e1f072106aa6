import { Module } from '@nestjs/common';
import { RoutingListener } from './routing-listener.service';
import { TenantResolver } from './tenant-resolver.service';
import { TenantRoutesRepository } from './tenant-routes.repository';

@Module({
  providers: [TenantRoutesRepository, TenantResolver, RoutingListener],
  exports: [TenantResolver, TenantRoutesRepository],
})
export class RoutingModule {}

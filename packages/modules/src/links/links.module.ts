import { Module } from '@nestjs/common';
import { TenantOrmModule } from '@mysaas/tenant-runtime';
import { LinkDetails } from './link-details.entity';
import { Link } from './link.entity';
import { LinkImport } from './link-import.entity';
import { LinkImportsController } from './link-imports.controller';
import { LinkImportsService } from './link-imports.service';
import { LinksController } from './links.controller';
import { LinksService } from './links.service';

/** Links and their bulk imports. The imports need the host's `TenantJobQueue` (the app server provides it globally). */
@Module({
  imports: [TenantOrmModule.forFeature([Link, LinkDetails, LinkImport])],
  controllers: [LinkImportsController, LinksController],
  providers: [LinksService, LinkImportsService],
  exports: [LinksService, LinkImportsService],
})
export class LinksModule {}

import { Module } from '@nestjs/common';
import { LinksModule } from './links/links.module';
import { PagesModule } from './pages/pages.module';

/**
 * Every business module the app server serves. Adding a module adds one line here (and, if
 * it has tables, one in `schema.ts`); the apps that host them do not change. The platform's
 * own AuthModule is not listed: the host configures it (`AuthModule.forRoot`).
 */
@Module({
  imports: [LinksModule, PagesModule],
})
export class BusinessModules {}

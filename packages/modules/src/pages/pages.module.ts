import { Module } from '@nestjs/common';
import { LinksModule } from '../links/links.module';
import { PagesController } from './pages.controller';

@Module({
  // Auth is global (its guard covers every route); the pages use its SessionsService.
  imports: [LinksModule],
  controllers: [PagesController],
})
export class PagesModule {}

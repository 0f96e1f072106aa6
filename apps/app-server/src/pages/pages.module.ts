import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LinksModule } from '../links/links.module';
import { PagesController } from './pages.controller';

@Module({
  imports: [AuthModule, LinksModule],
  controllers: [PagesController],
})
export class PagesModule {}

import { Module } from '@nestjs/common';
import { MovesController } from './moves.controller';
import { MovesService } from './moves.service';
import { RolloutsController } from './rollouts.controller';
import { RolloutsService } from './rollouts.service';

@Module({
  controllers: [MovesController, RolloutsController],
  providers: [MovesService, RolloutsService],
})
export class MovesModule {}

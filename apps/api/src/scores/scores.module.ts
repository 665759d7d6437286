import { Module } from '@nestjs/common';
import { ScoresController } from './scores.controller';
import { ScoresService } from './scores.service';

/** 单位排名 and 红黑榜: the units' monthly scores, the office's scoring formula, recomputations. */
@Module({ controllers: [ScoresController], providers: [ScoresService] })
export class ScoresModule {}

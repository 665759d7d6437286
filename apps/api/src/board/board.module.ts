import { Module } from '@nestjs/common';
import { BoardController } from './board.controller';
import { BoardService } from './board.service';

/** 挂图作战: open obligations by unit × rung × colour, the listed ones first. */
@Module({ controllers: [BoardController], providers: [BoardService], exports: [BoardService] })
export class BoardModule {}

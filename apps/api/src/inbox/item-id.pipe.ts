import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { errorBody } from '../http-errors';

const ITEM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:\d{1,9}$/;

/** An inbox item's id as the inbox gives it: `<obligation id>:<revision>`. */
export const itemIdPipe: PipeTransform<string, string> = {
  transform(value: string) {
    const id = value.toLowerCase();
    if (!ITEM_ID.test(id)) {
      const reason = '须为待办给出的编号（事项编号:序号）';
      throw new BadRequestException(errorBody(400, `请求参数有误：itemId`, [{ field: 'itemId', reason }]));
    }
    return id;
  },
};

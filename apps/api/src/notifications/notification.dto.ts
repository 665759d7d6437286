import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_TYPES } from '../../../../libs/domain/notifications';

// For the OpenAPI only: the bodies are checked by the domain's rules (checkContacts, checkChannel),
// which name every wrong field with a Chinese reason.

export class ContactDto {
  @ApiProperty({ example: '张三' }) name!: string;
  @ApiProperty({ example: '13800138000', description: '大陆手机号码' }) mobile!: string;
  @ApiPropertyOptional({ example: 'zhangsan@example.gov.cn' }) email?: string;
  @ApiPropertyOptional({ example: 'ZhangSan' }) wecomUserId?: string;
  @ApiPropertyOptional({ example: 'manager1234' }) dingtalkUserId?: string;
}

export class UnitContactsDto {
  @ApiPropertyOptional({ type: ContactDto, description: '联络员' }) liaison?: ContactDto;
  @ApiPropertyOptional({ type: ContactDto, description: '分管领导（从督办起、催办时抄送）' }) leader?: ContactDto;
  @ApiPropertyOptional({ type: ContactDto, description: '主要负责同志（约谈、问责）' }) head?: ContactDto;
}

export class ChannelDto {
  @ApiProperty({ enum: CHANNEL_TYPES }) type!: string;
  @ApiPropertyOptional({ description: 'robot / webhook / SMS gateway address (kept when left out; never shown back)' })
  url?: string;
  @ApiPropertyOptional({ description: 'DingTalk 加签 secret, SMS AccessKeySecret, SMTP password (kept when left out)' })
  secret?: string;
  @ApiPropertyOptional({ type: [String], description: 'units whose events it carries; absent, all' }) units?: string[];
  @ApiPropertyOptional({
    type: [String],
    description: 'event types it carries (reminder, rung_entered, rung_entered:3, urged, digest…); absent, all',
  })
  events?: string[];
  @ApiPropertyOptional({ description: 'the supervisors’ group: carries what the rules send to the supervisors' })
  supervisors?: boolean;
  @ApiPropertyOptional() enabled?: boolean;
  @ApiPropertyOptional({ description: 'requests a minute (robots: 20)' }) perMinute?: number;
  @ApiPropertyOptional({ enum: ['text', 'markdown', 'actionCard'] }) format?: string;
  @ApiPropertyOptional({ description: 'sms' }) accessKeyId?: string;
  @ApiPropertyOptional({ description: 'sms' }) signName?: string;
  @ApiPropertyOptional({ description: 'sms', example: 'SMS_123456789' }) templateCode?: string;
  @ApiPropertyOptional({ description: 'sms', example: 'cn-hangzhou' }) regionId?: string;
  @ApiPropertyOptional({ description: 'sms: messages per number and day (10)' }) dailyLimitPerNumber?: number;
  @ApiPropertyOptional({ description: 'email' }) host?: string;
  @ApiPropertyOptional({ description: 'email' }) port?: number;
  @ApiPropertyOptional({ description: 'email' }) secure?: boolean;
  @ApiPropertyOptional({ description: 'email' }) user?: string;
  @ApiPropertyOptional({ description: 'email' }) from?: string;
  @ApiPropertyOptional({ type: [String], description: 'email: addresses always sent to' }) to?: string[];
}

import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope';
import { InvoiceQueries } from '../querying-invoices/handler';

@ApiTags('dead letters')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(@Inject(InvoiceQueries) private readonly queries: InvoiceQueries) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'Inputs invoicing refused, with their reasons',
    description: 'From Kafka (also on <topic>.dlq), from HTTP, and held events whose invoice never came. Coordinates, code and reason only: never the payload.',
  })
  @ApiQuery({ name: 'customerId', required: false })
  @ApiQuery({ name: 'code', required: false, description: 'e.g. invalid_data, currency-mismatch' })
  @ApiQuery({ name: 'channel', required: false, enum: ['kafka', 'http', 'hold'] })
  @ApiQuery({ name: 'afterId', required: false, description: 'Paging: the nextAfterId of the previous page.' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100.' })
  @ApiOkResponse({ description: '{ items[], nextAfterId }' })
  async list(
    @Query('customerId') customerId?: string,
    @Query('code') code?: string,
    @Query('channel') channel?: string,
    @Query('afterId') afterId?: string,
    @Query('limit') limit?: string,
  ) {
    const size = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > 500) throw new BadRequestException({ statusCode: 400, code: 'invalid_limit', reason: 'limit must be an integer from 1 to 500' });
    if (afterId !== undefined && !/^\d{1,18}$/.test(afterId)) throw new BadRequestException({ statusCode: 400, code: 'invalid_after_id', reason: 'afterId must be a dead letter id' });
    return this.queries.deadLetters({
      limit: size,
      ...(customerId === undefined ? {} : { customerId }),
      ...(code === undefined ? {} : { code }),
      ...(channel === undefined ? {} : { channel }),
      ...(afterId === undefined ? {} : { afterId }),
    });
  }
}

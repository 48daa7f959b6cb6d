import { Controller, HttpException, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope, type HttpRequestLike, type Principal } from '../auth/require-scope';
import { HttpIngestion, type HttpAnswer } from './http-ingestion';

interface RawRequest extends HttpRequestLike {
  readonly body: unknown;
  readonly path: string;
}

interface ResponseLike {
  status(code: number): void;
  setHeader(name: string, value: string): void;
}

function respond(answer: HttpAnswer, response: ResponseLike): Record<string, unknown> {
  if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
  if (answer.status >= 400) throw new HttpException({ statusCode: answer.status, ...answer.body }, answer.status);
  response.status(answer.status);
  return answer.body;
}

@ApiTags('billing events')
@Controller('billing-events')
export class BillingEventsController {
  constructor(@Inject(HttpIngestion) private readonly ingestion: HttpIngestion) {}

  @Post()
  @RequireScope('write')
  @ApiOperation({
    summary: 'Submit a billing event as a CloudEvent',
    description:
      'The same events as on billing.events.v1, validated by the same schemas. Structured mode: the CloudEvent as JSON (content-type application/cloudevents+json). ' +
      'Binary mode: ce-specversion, ce-id, ce-source, ce-type (and ce-time) headers with the data as application/json. Idempotent by ce source + id, and by Idempotency-Key.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Replays the first response for the same key and request.' })
  @ApiOkResponse({ description: 'Applied, unchanged (nothing new), or a duplicate of an event already processed.' })
  @ApiAcceptedResponse({ description: 'Held: the event names an invoice not seen yet; it is applied when the invoice arrives, or dead-lettered after the hold window.' })
  @ApiBadRequestResponse({ description: 'Malformed: not JSON, not a CloudEvent, an unknown type, or data that breaks the contract; code and reason say which.' })
  @ApiUnprocessableEntityResponse({ description: 'Refused by the invoice: a currency mismatch, an impossible amount, an id reused with other content.' })
  async submit(@Req() request: RawRequest, @Res({ passthrough: true }) response: ResponseLike, @CurrentPrincipal() principal: Principal) {
    return respond(await this.ingestion.submit({ path: request.path, headers: request.headers, body: request.body, principal: principal.name }), response);
  }

  @Post(':type')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Submit the data of one billing event type',
    description: 'The body is the event data only, as in the contract. The Idempotency-Key header is required: it becomes the event id; the source is the API key’s name.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'The event id; repeats replay the first response.' })
  @ApiOkResponse({ description: 'Applied, unchanged, or a duplicate.' })
  @ApiAcceptedResponse({ description: 'Held until the invoice arrives.' })
  @ApiBadRequestResponse({ description: 'Malformed data, or no Idempotency-Key.' })
  @ApiUnprocessableEntityResponse({ description: 'Refused by the invoice.' })
  async submitData(
    @Param('type') type: string,
    @Req() request: RawRequest,
    @Res({ passthrough: true }) response: ResponseLike,
    @CurrentPrincipal() principal: Principal,
  ) {
    return respond(await this.ingestion.submit({ path: request.path, headers: request.headers, body: request.body, principal: principal.name, type }), response);
  }
}

import { BadRequestException, Controller, ForbiddenException, Get, Header, Inject, NotFoundException, Param, Query, UnprocessableEntityException } from '@nestjs/common';
import { renderMessage, type Channel } from '../domain';
import { previewFacts } from '../templates/preview';
import { NotifierRuntime } from '../notifier-runtime';

@Controller('notifier')
export class NotifierHttpController {
  constructor(@Inject(NotifierRuntime) private readonly runtime: NotifierRuntime) {}

  /** Kannel's dlr-url callback: /notifier/dlr/kannel?delivery=<id>&sig=<hmac>&type=<%d>. */
  @Get('dlr/kannel')
  @Header('content-type', 'text/plain')
  async kannelReport(@Query('delivery') delivery?: string, @Query('sig') sig?: string, @Query('type') type?: string): Promise<string> {
    const reportType = Number(type);
    if (!delivery || !sig || !Number.isInteger(reportType)) throw new BadRequestException('delivery, sig and type are required');
    const result = await this.runtime.onKannelReport(delivery, sig, reportType);
    if (result === 'forbidden') throw new ForbiddenException('bad signature');
    // An unknown delivery is answered 200 too: Kannel retrying it would not make it known.
    return result;
  }

  /** What a template looks like with sample data: GET /notifier/templates/reminder/preview?locale=sv-SE&channel=sms&country=SE */
  @Get('templates/:templateId/preview')
  preview(@Param('templateId') templateId: string, @Query('locale') locale = 'en-GB', @Query('channel') channel = 'email', @Query('country') country?: string) {
    if (!['sms', 'email', 'letter'].includes(channel)) throw new BadRequestException('channel is sms, email or letter');
    if (!this.runtime.catalog.templates.has(templateId)) throw new NotFoundException(`no template ${templateId}`);
    const result = renderMessage(this.runtime.catalog, previewFacts({ templateId, locale, channel: channel as Channel, ...(country ? { country } : {}) }));
    if (!result.ok) throw new UnprocessableEntityException({ problems: result.problems });
    return result.message;
  }
}

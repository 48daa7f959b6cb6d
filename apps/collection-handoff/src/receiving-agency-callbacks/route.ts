import { Body, Controller, ForbiddenException, Headers, HttpCode, Inject, NotFoundException, Param, Post, UnprocessableEntityException, ConflictException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AGENCY_CALLBACK_TOKENS } from '../tokens';
import { agencyCallbackBody, ReceiveAgencyCallback } from './handler';

/**
 * POST /agencies/:agencyId/callbacks — paid at the agency, closed, returned. Authenticated with the
 * agency's own bearer token. 200 for applied and for a duplicate (so the agency stops retrying),
 * 404 for a case it does not hold, 422 for a malformed body.
 */
@Controller('agencies')
export class AgencyCallbacksController {
  constructor(
    @Inject(ReceiveAgencyCallback) private readonly callbacks: ReceiveAgencyCallback,
    @Inject(AGENCY_CALLBACK_TOKENS) private readonly tokens: ReadonlyMap<string, string>,
  ) {}

  @Post(':agencyId/callbacks')
  @HttpCode(200)
  async receive(@Param('agencyId') agencyId: string, @Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const expected = this.tokens.get(agencyId);
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!expected || !presented || !sameSecret(expected, presented)) throw new ForbiddenException({ code: 'forbidden', reason: 'unknown agency or wrong token' });
    const parsed = agencyCallbackBody.safeParse(body);
    if (!parsed.success) {
      throw new UnprocessableEntityException({ code: 'invalid_callback', reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 500) });
    }
    const answer = await this.callbacks.receive(agencyId, parsed.data);
    if (answer.status === 'unknown-case') throw new NotFoundException({ code: 'unknown_case', reason: 'no case with this hand-off id at this agency' });
    if (answer.status === 'rejected') throw new ConflictException({ code: answer.code, reason: answer.reason });
    return answer;
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

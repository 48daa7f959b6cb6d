import { BadRequestException, Body, ConflictException, Controller, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { z } from 'zod';
import { ScoringRuntime } from '../scoring-runtime';
import { toScoreComputedEvent } from './score-gateway';

const scoreRequest = z.strictObject({ invoiceId: z.string().min(1).max(200) });

/** The orchestrator asks for a score now: the score is published on scoring.scores.v1 and returned. */
@Controller('scores')
export class ScoresController {
  constructor(private readonly runtime: ScoringRuntime) {}

  @Post()
  @HttpCode(201)
  async score(@Body() body: unknown) {
    const request = scoreRequest.safeParse(body);
    if (!request.success) throw new BadRequestException(`expected {"invoiceId": "<id>"}: ${request.error.issues.map((i) => i.message).join('; ')}`);
    const result = await this.runtime.scoring.scoreOnRequest(request.data.invoiceId);
    if (result.outcome === 'unknown-invoice') throw new NotFoundException(`invoice ${request.data.invoiceId} is unknown to scoring`);
    if (result.outcome === 'not-scorable') throw new ConflictException({ message: `invoice ${request.data.invoiceId} needs no score`, reason: result.reason });
    const { score } = result;
    return {
      event: toScoreComputedEvent(score),
      basis: score.basis,
      reasons: score.reasons.map((r) => ({ feature: r.feature, contribution: r.contribution, text: r.text })),
      features: score.features,
    };
  }
}

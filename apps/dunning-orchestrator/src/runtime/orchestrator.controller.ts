import { BadRequestException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { queryExperimentResults } from '../experiments/experiment-results.query';
import { OrchestratorRuntime } from './orchestrator-runtime';

export const ORCHESTRATOR_RUNTIME = Symbol('ORCHESTRATOR_RUNTIME');

@Controller('experiments')
export class ExperimentsController {
  constructor(@Inject(ORCHESTRATOR_RUNTIME) private readonly runtime: OrchestratorRuntime) {}

  /** Per-arm results and each arm against control (docs/orchestrator.md, "Experiments"). */
  @Get(':id/results')
  async results(@Param('id') id: string, @Query('asOf') asOf?: string) {
    const at = asOf ? new Date(asOf) : this.runtime.clock.now();
    if (Number.isNaN(at.getTime())) throw new BadRequestException('asOf must be an ISO 8601 instant');
    const results = await queryExperimentResults(this.runtime.pool, this.runtime.config.schema, this.runtime.policy, id, at);
    if (!results) throw new NotFoundException(`no experiment ${id} in policy ${this.runtime.policy.id}@${this.runtime.policy.version}`);
    return results;
  }
}

/**
 * GET/PUT /admin/clock and GET /admin/quiescence are the platform's (createSimulatedTimeController,
 * docs/simulated-time.md); moving the clock fires every timer now due before answering.
 * This one runs the due timers without moving the clock.
 */
@Controller('admin')
export class TimersController {
  constructor(@Inject(ORCHESTRATOR_RUNTIME) private readonly runtime: OrchestratorRuntime) {}

  @Post('timers/run')
  @HttpCode(200)
  async runTimers() {
    return { timersFired: (await this.runtime.timers?.fireDue()) ?? 0 };
  }
}

import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Put, Query } from '@nestjs/common';
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
 * The simulated clock's controls. Setting the time fires every timer now due before answering, so
 * a simulator can step through months deterministically. Refused when the clock is the system's.
 */
@Controller('admin')
export class ClockController {
  constructor(@Inject(ORCHESTRATOR_RUNTIME) private readonly runtime: OrchestratorRuntime) {}

  @Get('clock')
  clock() {
    return { mode: this.runtime.config.clock, now: this.runtime.clock.now().toISOString() };
  }

  @Put('clock')
  async setClock(@Body() body: { now?: string }) {
    const clock = this.runtime.simulatedClock;
    if (!clock) throw new ConflictException('the clock is the system clock (ORCHESTRATOR_CLOCK=system)');
    const to = new Date(body?.now ?? '');
    if (Number.isNaN(to.getTime())) throw new BadRequestException('body must be {"now": "<ISO 8601 instant>"}');
    try {
      await clock.set(this.runtime.pool, to);
    } catch (error) {
      throw new ConflictException(error instanceof Error ? error.message : String(error));
    }
    const timersFired = (await this.runtime.timers?.fireDue()) ?? 0;
    return { now: clock.now().toISOString(), timersFired };
  }

  @Post('timers/run')
  @HttpCode(200)
  async runTimers() {
    return { timersFired: (await this.runtime.timers?.fireDue()) ?? 0 };
  }
}

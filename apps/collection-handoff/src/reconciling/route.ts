import { Controller, Get, Inject } from '@nestjs/common';
import { ReconciliationJob } from './reconciliation-job';

@Controller('reconciliation')
export class ReconciliationController {
  constructor(@Inject(ReconciliationJob) private readonly job: ReconciliationJob) {}

  /** The latest run per agency: counts and the cases whose state differs (ids and statuses only). */
  @Get('latest')
  async latest() {
    return { runs: await this.job.latest() };
  }
}

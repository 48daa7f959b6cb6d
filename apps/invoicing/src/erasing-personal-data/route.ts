import { Controller, Delete, Inject, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope';
import { RelayWakeUp } from '../background-work';
import { ErasePersonalData } from './handler';

@ApiTags('personal data')
@Controller('customers')
export class ErasureController {
  constructor(
    @Inject(ErasePersonalData) private readonly erasure: ErasePersonalData,
    @Inject(RelayWakeUp) private readonly relay: RelayWakeUp,
  ) {}

  @Delete(':customerId/personal-data')
  @RequireScope('admin')
  @ApiOperation({
    summary: "Erase a customer's personal data",
    description:
      "Destroys the customer's key (crypto-shredding): their contact and free-text reasons, sealed in the event log and the contacts table, become unreadable everywhere, " +
      'including replays and backups of the log. Amounts, dates and history stay, so every invoice still reconstructs. Idempotent.',
  })
  @ApiOkResponse({ description: 'What was erased.' })
  async erase(@Param('customerId') customerId: string) {
    const report = await this.erasure.erase(customerId);
    // Its invoicing.customer.updated.v1 is committed: publish it now, not at the relay's next poll.
    this.relay.wake();
    return report;
  }
}

import { Controller, Get, GoneException, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope';
import { ReadContact } from './handler';

@ApiTags('personal data')
@Controller('customers')
export class ContactsController {
  constructor(@Inject(ReadContact) private readonly contacts: ReadContact) {}

  @Get(':customerId/contact')
  @RequireScope('contacts')
  @ApiOperation({
    summary: "A customer's contact details, for sending a message now",
    description: 'Name, e-mail, phone and postal address, opened with the customer’s key, with the profile and the reachable channels. Do not store the answer.',
  })
  @ApiOkResponse({ description: '{ customerId, contact, profile, reachableChannels }' })
  @ApiNotFoundResponse({ description: 'No such customer.' })
  @ApiGoneResponse({ description: 'The customer’s personal data was erased.' })
  async contact(@Param('customerId') customerId: string) {
    const answer = await this.contacts.read(customerId);
    if (answer.status === 'unknown') throw new NotFoundException({ statusCode: 404, code: 'unknown_customer', reason: `invoicing knows no customer ${customerId.slice(0, 200)}` });
    if (answer.status === 'erased') throw new GoneException({ statusCode: 410, code: 'personal_data_erased', reason: 'the customer’s personal data was erased', ...answer });
    return answer;
  }
}

import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope';
import { InvoiceQueries } from './handler';

@ApiTags('invoices')
@Controller()
export class InvoicesController {
  constructor(@Inject(InvoiceQueries) private readonly queries: InvoiceQueries) {}

  @Get('invoices/:invoiceId')
  @RequireScope('read')
  @ApiOperation({ summary: 'An invoice: its current state and its full event history, rebuilt from the event log' })
  @ApiOkResponse({ description: '{ invoice, history[] }; sealed personal data is shown as "[sealed personal data]".' })
  @ApiNotFoundResponse({ description: 'No such invoice.' })
  async invoice(@Param('invoiceId') invoiceId: string) {
    const found = await this.queries.invoice(invoiceId);
    if (!found) throw new NotFoundException({ statusCode: 404, code: 'unknown_invoice', reason: `invoicing knows no invoice ${invoiceId.slice(0, 200)}` });
    return found;
  }

  @Get('customers/:customerId/invoices')
  @RequireScope('read')
  @ApiOperation({ summary: "A customer's invoices (oldest first) and the customer's credit" })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'partly-paid', 'settled'] })
  @ApiOkResponse({ description: '{ customerId, credit[], invoices[] }' })
  @ApiNotFoundResponse({ description: 'No such customer.' })
  async customerInvoices(@Param('customerId') customerId: string, @Query('status') status?: string) {
    const found = await this.queries.customerInvoices(customerId, status);
    if (!found) throw new NotFoundException({ statusCode: 404, code: 'unknown_customer', reason: `invoicing knows no customer ${customerId.slice(0, 200)}` });
    return found;
  }
}

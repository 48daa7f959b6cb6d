import { z } from 'zod';

// The drop-file format of a batch agency, documented in docs/collection-handoff.md ("Batch file format").
// A test writes a batch, parses it back with these schemas and checks the manifest against the data.

export const BATCH_FORMAT_VERSION = 1;

const money = z.object({ minor: z.int().min(0), currency: z.string().regex(/^[A-Z]{3}$/) }).strict();
const date = z.iso.date();
const instant = z.iso.datetime({ offset: true });

export const claimLine = z
  .object({
    recordType: z.literal('claim'),
    handoffId: z.string().min(1),
    collectionCaseId: z.string().min(1),
    invoiceId: z.string().min(1),
    customerId: z.string().min(1),
    country: z.string().min(2),
    customerType: z.enum(['consumer', 'business']),
    issuedAt: instant,
    dueDate: date,
    handedOffOn: date,
    daysToPay: z.int().min(0),
    payBy: date,
    principal: money,
    interest: z
      .object({
        from: date,
        to: date,
        days: z.int().min(1),
        dayCountBasis: z.literal(365),
        rounding: z.literal('half-up'),
        formula: z.string(),
        segments: z.array(z.object({ from: date, to: date, days: z.int().min(1), baseRateBps: z.int(), surchargeBps: z.int(), rateBps: z.int() }).strict()).min(1),
        amount: money,
        law: z.string(),
      })
      .strict()
      .nullable(),
    costs: z.array(z.object({ kind: z.string(), amount: money, law: z.string() }).strict()),
    total: money,
    creditor: z.object({ name: z.string(), address: z.string(), registrationId: z.string() }).strict().nullable(),
    basisOfClaim: z.string().nullable(),
    paymentReference: z.string().nullable(),
    brand: z.string().nullable(),
    legalBasis: z.array(z.string()),
    debtor: z
      .object({ name: z.string(), postalAddress: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable() })
      .strict()
      .nullable(),
  })
  .strict();

export const recallLine = z
  .object({
    recordType: z.literal('recall'),
    handoffId: z.string().min(1),
    collectionCaseId: z.string().min(1),
    reason: z.enum(['paid', 'credited', 'disputed', 'payment-plan']),
    requestedAt: instant,
  })
  .strict();

export const batchLine = z.discriminatedUnion('recordType', [claimLine, recallLine]);
export type ClaimLine = z.infer<typeof claimLine>;
export type RecallLine = z.infer<typeof recallLine>;
export type BatchLine = z.infer<typeof batchLine>;

export const batchManifest = z
  .object({
    formatVersion: z.literal(BATCH_FORMAT_VERSION),
    agencyId: z.string().min(1),
    batchId: z.string().min(1),
    cutoffAt: instant,
    dataFile: z.string().min(1),
    dataFileBytes: z.int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    recordCount: z.int().min(0),
    claimCount: z.int().min(0),
    recallCount: z.int().min(0),
    totalsByCurrency: z.record(
      z.string().regex(/^[A-Z]{3}$/),
      z.object({ claims: z.int().min(0), principalMinor: z.int().min(0), totalMinor: z.int().min(0) }).strict(),
    ),
  })
  .strict();
export type BatchManifest = z.infer<typeof batchManifest>;

export const statusLine = z
  .object({ handoffId: z.string().min(1), status: z.enum(['open', 'paid', 'closed', 'returned', 'recalled']) })
  .strict();

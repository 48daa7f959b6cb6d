import { GeneralAttributes, MessagingAttributes as SemConv, MessagingOperationType, MessagingSystem } from '@dunning/telemetry';

/**
 * Span and metric attributes this library emits, all from the shared registry in libs/telemetry
 * (its guard drops any other key). Values are topics, partitions, group ids, modes, error
 * classes and codes: never record content or personal data.
 */
export const MessagingAttributes = {
  system: SemConv.system,
  operation: SemConv.operationType,
  destination: SemConv.destinationName,
  partition: SemConv.partitionId,
  consumerGroup: SemConv.consumerGroupName,
  offset: SemConv.kafkaOffset,
  batchMessageCount: SemConv.batchMessageCount,
  errorType: GeneralAttributes.errorType,
  mode: SemConv.consumerMode,
  errorCode: SemConv.errorCode,
  outcome: SemConv.processOutcome,
} as const;

export const MESSAGING_SYSTEM = MessagingSystem.kafka;
export const OPERATION = MessagingOperationType;
export const INSTRUMENTATION_SCOPE = '@dunning/messaging';

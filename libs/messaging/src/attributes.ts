import { GeneralAttributes, MessagingAttributes as SemConv, MessagingOperationType, MessagingSystem } from '@dunning/telemetry';

/**
 * Span and metric attributes this library emits: the names come from the shared registry in
 * libs/telemetry, except the three `messaging.*` extras below, which that registry does not list
 * yet (its attribute guard drops unregistered keys, so until they are registered they are
 * simply absent from exported data). Values are topics, partitions, group ids, modes, error
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
  mode: 'messaging.consumer.mode',
  errorCode: 'messaging.error.code',
  outcome: 'messaging.process.outcome',
} as const;

export const MESSAGING_SYSTEM = MessagingSystem.kafka;
export const OPERATION = MessagingOperationType;
export const INSTRUMENTATION_SCOPE = '@dunning/messaging';

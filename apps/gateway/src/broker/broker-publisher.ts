import type { ExistingProvider, Type } from '@nestjs/common';

/** How the gateway sends messages (announcements to alerting, replies to devices) through whichever broker is active. */
export interface BrokerPublisher {
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
  /** True while devices can reach the gateway through this broker (readiness). */
  readonly isUp: boolean;
  /**
   * False when the broker knows that no session of the device subscribes to its receipts, so none need be
   * published (the embedded broker sees every subscription; an external broker's cannot be seen: always true).
   */
  wantsReceipts(deviceId: string): boolean;
}

/** Bound when the module is built to the active broker mode: the embedded aedes broker or the external broker's client. */
export const BROKER_PUBLISHER = Symbol('BROKER_PUBLISHER');

export const brokerPublisherProvider = (broker: Type<BrokerPublisher>): ExistingProvider<BrokerPublisher> => ({
  provide: BROKER_PUBLISHER,
  useExisting: broker,
});

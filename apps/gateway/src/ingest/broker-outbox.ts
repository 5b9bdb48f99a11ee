import { Injectable } from '@nestjs/common';

/** How the gateway sends messages: through the embedded broker or through its client of an external one. */
export interface BrokerOutbox {
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
}

/**
 * Lets the ingest path publish through whichever broker is active without depending on it: the broker
 * depends on the ingestor, and attaches itself here once it is listening.
 */
@Injectable()
export class OutboxRelay implements BrokerOutbox {
  private target?: BrokerOutbox;

  attach(target: BrokerOutbox): void {
    this.target = target;
  }

  publish(topic: string, payload: string, qos: 0 | 1): Promise<void> {
    if (!this.target) return Promise.reject(new Error('the broker is not started yet'));
    return this.target.publish(topic, payload, qos);
  }
}

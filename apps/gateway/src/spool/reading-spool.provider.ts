import type { FactoryProvider } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { ReadingSpool } from './reading-spool';

const SEGMENT_BYTES = 16 * 1024 * 1024;

export const readingSpoolProvider: FactoryProvider<ReadingSpool> = {
  provide: ReadingSpool,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: GatewayConfig) => ReadingSpool.open({ dir: config.spool.dir, maxBytes: config.spool.maxBytes, segmentBytes: SEGMENT_BYTES }),
};

import { z } from 'zod';

/**
 * Machine-readable reasons a reading is refused. Devices may branch on these codes. A reading the gateway
 * cannot take for its own reasons (spool full, rate limit) gets no code: the connection closes without a
 * PUBACK and the device resends, since MQTT 3.1.1 has no negative acknowledgement.
 */
export const REJECTION_CODES = [
  'malformed_json',
  'invalid_payload',
  'unknown_metric',
  'out_of_range',
  'future_timestamp',
  'timestamp_too_old',
  'batch_too_large',
] as const;
export const rejectionCodeSchema = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof rejectionCodeSchema>;

export const rejectedItemSchema = z.object({
  index: z.number().int().min(0).describe('Position in the batch (0 for a single reading).'),
  code: rejectionCodeSchema,
  message: z.string().describe('A sentence for a person reading device logs.'),
});

export const deviceReplySchema = z.object({
  status: z.enum(['accepted', 'partial', 'rejected']),
  accepted: z.number().int().min(0).describe('How many readings were stored.'),
  rejected: z.array(rejectedItemSchema),
  receivedAt: z.iso.datetime().describe("The gateway's clock when it received the message."),
});

export type RejectedItem = z.infer<typeof rejectedItemSchema>;
export type DeviceReply = z.infer<typeof deviceReplySchema>;

/**
 * Published on the device's receipts topic once readings it sent are in the store (after the PUBACK, which
 * only means "on the gateway's disk"): how many were new and how many the store already had, so a device
 * or tool resending history can tell what deduplication absorbed. One receipt covers the device's readings
 * the gateway stored since its previous receipt, from one or more messages.
 */
export const deviceReceiptSchema = z.object({
  storedNew: z.number().int().min(0).describe('Readings stored for the first time.'),
  alreadyStored: z.number().int().min(0).describe('Readings the store already held (a resend or a replay of history): kept once.'),
  quarantined: z.number().int().min(0).describe('Readings the store refused for their content; the operator sees them in quarantine.'),
  earliestMeasuredAt: z.iso.datetime().describe('The earliest measuredAt among the readings this receipt covers.'),
  latestMeasuredAt: z.iso.datetime().describe('The latest measuredAt among the readings this receipt covers.'),
  storedAt: z.iso.datetime().describe("The gateway's clock when the readings were stored."),
});

export type DeviceReceipt = z.infer<typeof deviceReceiptSchema>;

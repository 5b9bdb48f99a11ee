/**
 * MQTT topic layout of device protocol v1. The device id in a topic always comes from the
 * connection's credential: a device can only publish to, and subscribe to, its own topics.
 */
export const DEVICE_PROTOCOL_VERSION = 'v1';
export const TOPIC_ROOT = `rpm/${DEVICE_PROTOCOL_VERSION}/devices`;

export const deviceReadingsTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/readings`;
export const deviceRepliesTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/replies`;
/** Where the gateway tells a device how many readings of a message it stored new or already had. */
export const deviceReceiptsTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/receipts`;

/** A device id as topics and broker usernames carry it. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Subscription pattern a gateway uses to consume every device's readings from a broker. */
export const ALL_DEVICE_READINGS_TOPIC = `${TOPIC_ROOT}/+/readings`;

/** Internal topic on which the gateway announces readings it has durably stored. */
export const ACCEPTED_READINGS_TOPIC = 'rpm/internal/v1/readings/accepted';

const READINGS_TOPIC_PATTERN = /^rpm\/v1\/devices\/([A-Za-z0-9_-]{1,64})\/readings$/;

/** The device id a readings topic names, or null when the topic is not a readings topic. */
export function deviceIdFromReadingsTopic(topic: string): string | null {
  const match = READINGS_TOPIC_PATTERN.exec(topic);
  return match ? match[1] : null;
}

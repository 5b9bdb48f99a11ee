import type { DEVICE_KINDS } from '@rpm/contracts';

/** Device kinds the simulator can play (a hub relays other devices' readings and has none of its own). */
export type DeviceKind = Exclude<(typeof DEVICE_KINDS)[number], 'hub'>;
export const SIMULATED_DEVICE_KINDS: readonly DeviceKind[] = ['glucose_meter', 'cgm', 'blood_pressure_cuff', 'wearable', 'pulse_oximeter'];

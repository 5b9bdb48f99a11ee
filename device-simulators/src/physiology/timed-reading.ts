import type { DeviceReading } from '@rpm/contracts';

/** A reading and the instant it was taken (epoch ms), so streams can be merged and cut without parsing dates. */
export interface TimedReading {
  atMs: number;
  reading: DeviceReading;
}

/**
 * The device's record number: seconds since the epoch. A device takes at most one reading of a metric per
 * second, so it is unique per device and metric, and the same simulated reading always gets the same number:
 * a rerun with the same seed re-sends identical readings, which the gateway stores once.
 */
export const recordNumber = (atMs: number): number => Math.floor(atMs / 1000) % 2 ** 32;

export const byTime = (left: TimedReading, right: TimedReading): number => left.atMs - right.atMs;

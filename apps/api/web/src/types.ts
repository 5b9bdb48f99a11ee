/** Shapes of the API's answers as the page reads them (requests are typed by the zod contracts). */
import type { GlucoseSummary } from '@rpm/clinical';
import type { NormalizedReading, Page, WorklistPatient } from '@rpm/contracts';

export type { NormalizedReading, Page, WorklistPatient };

export interface Patient {
  id: string;
  displayName: string;
  programme: string;
  timeZone: string;
}

export interface Alert {
  id: string;
  patientId: string;
  ruleId: string;
  severity: 'info' | 'warning' | 'urgent';
  status: 'open' | 'acknowledged' | 'snoozed' | 'resolved';
  title: string;
  reason: string;
  openedAt: string;
  lastReadingAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  retrospective: boolean;
}

export interface Visit {
  id: string;
  occurredAt: string;
  type: string;
  notes: string | null;
  outcome: string | null;
}

export interface Summary {
  glucose: (GlucoseSummary & { coveragePercent: number }) | null;
  bloodPressure: { systolic: number; diastolic: number; readings: number; controlled: boolean } | null;
  adherence: { daysWithData: number; ofDays: number; meetsRpmThreshold: boolean };
}

export interface FollowUp {
  plan: { pathway: string; tier: string; intervalDays: number; nextDueAt: string; lastReviewedAt: string | null; status: string };
  changes: { id: number; kind: string; fromIntervalDays: number; toIntervalDays: number; reason: string; status: string; createdAt: string }[];
}

export interface ReadingBucket {
  bucketStart: string;
  count: number;
  fields: Record<string, { min: number; mean: number; max: number }>;
}

export interface AlertChange {
  alertId: string;
  patientId: string;
  status: string;
}

/**
 * Shapes of the API's answers as the page reads them: the types of the zod contracts in libs/contracts that
 * the API checks every answer against. Type-only imports, so no zod reaches the browser.
 */
import type {
  AgpReportResponse,
  AggregateResponse,
  Alert,
  AlertChange,
  FollowUpResponse,
  HomeBpReportResponse,
  NormalizedReading,
  Page,
  PairingCodeResponse,
  PatientPage,
  PatientPageText,
  Patient,
  PatientSummary,
  ReadingBucketResponse,
  Visit,
  WorklistPatient,
} from '@rpm/contracts';

export type { AggregateResponse, Alert, AlertChange, NormalizedReading, Page, Patient, Visit, WorklistPatient };
export type Summary = PatientSummary;
export type FollowUp = FollowUpResponse;
export type ReadingBucket = ReadingBucketResponse;
export type AgpReport = AgpReportResponse;
export type HomeBpReport = HomeBpReportResponse;
export type PairingCode = PairingCodeResponse;
export type PatientPageData = PatientPage;
export type { PatientPageText };

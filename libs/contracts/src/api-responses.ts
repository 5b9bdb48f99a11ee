/** Shapes the API answers with that the doctor's page reads too: one definition for the server and the page. */

/** A row of the care team's worklist (GET /patients). */
export interface WorklistPatient {
  id: string;
  displayName: string;
  programme: string;
  careTeamId: string;
  timeZone: string;
  /** Alerts nobody has acknowledged yet, by severity. */
  openAlerts: { urgent: number; warning: number; info: number };
  lastAlertAt: string | null;
  followUp: { tier: 'high' | 'medium' | 'low'; intervalDays: number; nextDueAt: string; overdue: boolean } | null;
}

/** Every paged list answers with its page beside the items. */
export interface Page {
  limit: number;
  offset: number;
  total: number;
}

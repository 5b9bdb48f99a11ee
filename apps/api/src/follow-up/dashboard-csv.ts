import type { FollowUpDashboardResponse } from '@rpm/contracts';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. A text
 * starting with =, +, -, @, tab or carriage return is prefixed with ' so a spreadsheet shows it as text
 * rather than running it as a formula (OWASP "CSV injection"); numbers are written as they are.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows joined with CRLF, as RFC 4180 writes them. */
export const toCsv = (rows: readonly (readonly (string | number | null)[])[]): string => rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';

/**
 * The byte order mark: RFC 4180 does not need it, but Excel on Windows reads a CSV without it in the system's
 * code page and garbles accented names ("Zoé" as "ZoÃ©"). Text editors, LibreOffice and Python's utf-8-sig skip it.
 */
export const UTF8_BOM = '\uFEFF';

const FIGURES = [
  ['coverage', 'Coverage (enough data)'],
  ['completion', 'Due contacts completed'],
  ['overdue', 'Overdue'],
  ['missed', 'Missed'],
  ['lostToFollowUp', 'Lost to follow-up'],
  ['bloodPressureControl', 'Home BP < 135/85'],
  ['timeInRangeControl', 'CGM time in range target'],
  ['readmissions', 'Readmitted within 30 days of discharge'],
] as const;

/**
 * The dashboard as CSV: one row per figure of the whole scope, each care team and each clinician, with the
 * names of the patients behind it; then the weekly trend (with the satisfaction responses and mean of each
 * week), the satisfaction survey per group, and the reminders' response rate per channel.
 */
export function dashboardCsv(dashboard: FollowUpDashboardResponse): string {
  const names = new Map(dashboard.patients.map((patient) => [patient.patientId, patient.displayName]));
  const rows: (string | number | null)[][] = [['scope', 'group', 'figure', 'count', 'of', 'percent', 'patients']];
  const groups: [string, string, FollowUpDashboardResponse['totals']][] = [
    ['all', 'All patients', dashboard.totals],
    ...dashboard.byCareTeam.map((team): [string, string, FollowUpDashboardResponse['totals']] => ['care team', team.name, team.figures]),
    ...dashboard.byClinician.map((clinician): [string, string, FollowUpDashboardResponse['totals']] => ['clinician', clinician.name, clinician.figures]),
  ];
  for (const [scope, group, figures] of groups) {
    for (const [key, label] of FIGURES) {
      const figure = figures[key];
      rows.push([scope, group, label, figure.count, figure.of, figure.percent, figure.patientIds.map((id) => names.get(id) ?? id).join('; ')]);
    }
    const { acknowledged, medianMinutes, p90Minutes } = figures.acknowledgement;
    rows.push([scope, group, 'Alerts acknowledged: median minutes', medianMinutes, acknowledged, null, '']);
    rows.push([scope, group, 'Alerts acknowledged: 90th percentile minutes', p90Minutes, acknowledged, null, '']);
  }
  rows.push([]);
  rows.push(['week ending', 'overdue', 'missed', 'lost to follow-up', 'contacts completed', 'satisfaction responses', 'mean satisfaction (1-5)']);
  dashboard.trend.forEach((week, index) => {
    const satisfaction = dashboard.satisfaction.trend[index];
    rows.push([
      week.weekEnd.slice(0, 10),
      week.overdue,
      week.missed,
      week.lostToFollowUp,
      week.contactsCompleted,
      satisfaction?.responses ?? 0,
      satisfaction?.meanSatisfaction ?? null,
    ]);
  });
  // The satisfaction survey after contacts: the whole scope, each care team, each contact clinician.
  rows.push([]);
  rows.push(['scope', 'group', 'survey responses', 'mean satisfaction (1-5)', 'helped %', 'would recommend %', 'patients']);
  const { satisfaction } = dashboard;
  for (const [scope, group, summary] of [
    ['all', 'All patients', satisfaction] as const,
    ...satisfaction.byCareTeam.map((team) => ['care team', team.name, team] as const),
    ...satisfaction.byClinician.map((clinician) => ['clinician', clinician.name, clinician] as const),
  ]) {
    const patients = summary.patientIds.map((id) => names.get(id) ?? id).join('; ');
    rows.push([scope, group, summary.responses, summary.meanSatisfaction, summary.helpedPercent, summary.recommendPercent, patients]);
  }
  // Reminders to patients per channel and the share answered within 7 days.
  rows.push([]);
  rows.push(['reminder channel', 'sent', 'responded within 7 days', 'awaiting (sent < 7 days ago)', 'response rate %']);
  for (const channel of dashboard.responseByChannel) rows.push([channel.channel, channel.sent, channel.responded, channel.awaiting, channel.percent]);
  return UTF8_BOM + toCsv(rows);
}

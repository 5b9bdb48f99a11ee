import { z } from 'zod';
import { FOLLOW_UP_STATUSES } from './care.schema';
import { apiDateTime } from './common.schema';

/** A share in percent with one decimal; null when there is nothing to share out. */
const percent = () => z.number().nullable();

export const programmeMetricsSchema = z.object({
  patients: z.number().int(),
  followUp: z.object({
    coveragePercent: percent(),
    scheduled: z.number().int(),
    overdue: z.number().int(),
    missed: z.number().int(),
    lostToFollowUp: z.number().int(),
    onSchedulePercent: percent(),
    lossToFollowUpPercent: percent(),
    overdueByRisk: z.array(
      z.object({ patientId: z.uuid(), displayName: z.string(), tier: z.string(), dueAt: apiDateTime(), status: z.enum(FOLLOW_UP_STATUSES) }),
    ),
  }),
  alerts30Days: z.object({
    total: z.number().int(),
    urgent: z.number().int(),
    open: z.number().int(),
    acknowledgedByClinician: z.array(
      z.object({ userId: z.uuid(), displayName: z.string(), acknowledged: z.number().int(), medianMinutesToAcknowledge: z.number().nullable() }),
    ),
  }),
  control: z.object({
    bloodPressure: z.object({ measured: z.number().int(), controlledPercent: percent() }),
    glucose: z.object({ measured: z.number().int(), timeInRangeOver70Percent: percent() }),
  }),
});

export type ProgrammeMetrics = z.output<typeof programmeMetricsSchema>;

/** A multidisciplinary follow-up task (dietitian, psychologist). */
export const followUpTaskSchema = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  kind: z.string(),
  discipline: z.string(),
  dueAt: apiDateTime(),
  assignedTo: z.uuid().nullable(),
  assignedName: z.string().nullable(),
  status: z.enum(['open', 'done', 'cancelled']),
  reason: z.string(),
  createdBy: z.uuid().nullable(),
  createdAt: apiDateTime(),
  doneBy: z.uuid().nullable(),
  doneAt: apiDateTime().nullable(),
  outcome: z.string().nullable(),
});
export const followUpTasksResponseSchema = z.object({ items: z.array(followUpTaskSchema) });
export type FollowUpTask = z.output<typeof followUpTaskSchema>;

/** The follow-up centre's daily work: due and overdue contacts across the caller's care teams, and the caller's own tasks due. */
export const followUpWorklistSchema = z.object({
  items: z.array(
    z.object({
      patientId: z.uuid(),
      displayName: z.string(),
      careTeam: z.string(),
      pathway: z.string(),
      tier: z.string(),
      dueAt: apiDateTime(),
      status: z.enum(FOLLOW_UP_STATUSES),
      assignedTo: z.uuid().nullable(),
      assignedName: z.string().nullable(),
      attempts: z.number().int(),
      lastOutcome: z.string().nullable(),
      escalated: z.boolean(),
      /** The patient asked through a reminder link to reschedule (an open task). */
      rescheduleRequested: z.boolean(),
      /** The patient stopped uploading (an open "no readings" item): their last reading, and the sentence for the nurse. */
      noReadings: z.object({ since: apiDateTime(), reason: z.string() }).nullable(),
    }),
  ),
  /** Open multidisciplinary tasks assigned to the caller, due by the end of today (overdue first). */
  tasks: z.array(followUpTaskSchema.extend({ displayName: z.string() })),
});
export type FollowUpWorklist = z.output<typeof followUpWorklistSchema>;

/** A count out of a whole, its share in percent and the patients behind it (the dashboard's drill-down). */
const dashboardFigureSchema = z.object({ count: z.number().int(), of: z.number().int(), percent: percent(), patientIds: z.array(z.uuid()) });

const dashboardFiguresSchema = z.object({
  patients: z.number().int(),
  coverage: dashboardFigureSchema,
  completion: dashboardFigureSchema,
  overdue: dashboardFigureSchema,
  missed: dashboardFigureSchema,
  lostToFollowUp: dashboardFigureSchema,
  bloodPressureControl: dashboardFigureSchema,
  timeInRangeControl: dashboardFigureSchema,
  readmissions: dashboardFigureSchema,
  acknowledgement: z.object({
    acknowledged: z.number().int(),
    medianMinutes: z.number().nullable(),
    p90Minutes: z.number().nullable(),
    patientIds: z.array(z.uuid()),
  }),
});

/** Satisfaction surveys after contacts: count, mean of item 1 (1-5), shares answering yes, and the patients. */
const satisfactionSummarySchema = z.object({
  responses: z.number().int(),
  meanSatisfaction: z.number().nullable(),
  helpedPercent: percent(),
  recommendPercent: percent(),
  patientIds: z.array(z.uuid()),
});

/** The follow-up centre's dashboard over the caller's care teams (or one of them) for the last `weeks` weeks. */
export const followUpDashboardSchema = z.object({
  from: apiDateTime(),
  to: apiDateTime(),
  weeks: z.number().int(),
  totals: dashboardFiguresSchema,
  byClinician: z.array(z.object({ clinicianId: z.uuid().nullable(), name: z.string(), figures: dashboardFiguresSchema })),
  byCareTeam: z.array(z.object({ careTeamId: z.uuid(), name: z.string(), figures: dashboardFiguresSchema })),
  trend: z.array(
    z.object({
      weekStart: apiDateTime(),
      weekEnd: apiDateTime(),
      overdue: z.number().int(),
      missed: z.number().int(),
      lostToFollowUp: z.number().int(),
      contactsCompleted: z.number().int(),
    }),
  ),
  satisfaction: satisfactionSummarySchema.extend({
    byClinician: z.array(satisfactionSummarySchema.extend({ clinicianId: z.uuid().nullable(), name: z.string() })),
    byCareTeam: z.array(satisfactionSummarySchema.extend({ careTeamId: z.uuid(), name: z.string() })),
    trend: z.array(z.object({ weekStart: apiDateTime(), weekEnd: apiDateTime(), responses: z.number().int(), meanSatisfaction: z.number().nullable() })),
  }),
  responseByChannel: z
    .array(
      z.object({
        channel: z.string(),
        sent: z.number().int(),
        responded: z.number().int(),
        awaiting: z.number().int(),
        percent: percent(),
      }),
    )
    .describe(
      'Patient reminders sent in the period per channel, and how many the patient responded to within 7 days (confirm or reschedule through the link, or a questionnaire answered); awaiting: sent less than 7 days ago, not yet answered, not counted.',
    ),
  patients: z.array(
    z.object({
      patientId: z.uuid(),
      displayName: z.string(),
      careTeam: z.string(),
      clinician: z.string().nullable(),
      status: z.enum(FOLLOW_UP_STATUSES).nullable(),
    }),
  ),
});
export type FollowUpDashboardResponse = z.output<typeof followUpDashboardSchema>;

import type { PathwayTemplate } from '../pathways/pathway-template';

/** When a questionnaire is due: every `everyDays` after the last response, and at once when never answered. */
export interface QuestionnaireDue {
  instrument: string;
  everyDays: number;
  lastAnsweredAt: Date | null;
  dueAt: Date;
  due: boolean;
}

const DAY = 86_400_000;

/** The pathway's questionnaires with their due dates (`since`: enrolment, the due date of a never-answered one). */
export function questionnairesDue(template: PathwayTemplate | undefined, lastAnswered: ReadonlyMap<string, Date>, since: Date, now: Date): QuestionnaireDue[] {
  return (template?.questionnaires ?? []).map(({ instrument, everyDays }) => {
    const lastAnsweredAt = lastAnswered.get(instrument) ?? null;
    const dueAt = lastAnsweredAt ? new Date(lastAnsweredAt.getTime() + everyDays * DAY) : since;
    return { instrument, everyDays, lastAnsweredAt, dueAt, due: dueAt.getTime() <= now.getTime() };
  });
}

import { formatLocalTime } from '../rules/rule-outcome';

export type PatientLanguage = 'en' | 'de' | 'fr';
export type PatientReminderKind = 'due_in_7_days' | 'due_in_3_days' | 'due_today';

interface Template {
  subject: string;
  when: Record<PatientReminderKind, string>;
  /** {when} {at} */
  body: string;
  confirm: string;
  reschedule: string;
  /** The patient's own page (readings, questionnaires due): {link}. */
  page: string;
  /** What a voice call reads out (no links). */
  spoken: string;
}

/** Reminder texts per language: data, no I/O. No clinical detail beyond "a follow-up contact". */
export const PATIENT_REMINDER_TEMPLATES: Record<PatientLanguage, Template> = {
  en: {
    subject: 'Your follow-up contact',
    when: { due_in_7_days: 'in 7 days', due_in_3_days: 'in 3 days', due_today: 'today' },
    body: 'Your follow-up contact with your care team is due {when} ({at}).',
    confirm: 'Confirm: {link}',
    reschedule: 'Ask to reschedule: {link}',
    page: 'Your readings and questions: {link}',
    spoken: 'This is your care team. Your follow-up contact is due {when}. Please use the link in your messages to confirm or to ask for another date.',
  },
  de: {
    subject: 'Ihr Nachsorgetermin',
    when: { due_in_7_days: 'in 7 Tagen', due_in_3_days: 'in 3 Tagen', due_today: 'heute' },
    body: 'Ihr Nachsorgekontakt mit Ihrem Behandlungsteam ist {when} fällig ({at}).',
    confirm: 'Bestätigen: {link}',
    reschedule: 'Anderen Termin erbitten: {link}',
    page: 'Ihre Messwerte und Fragen: {link}',
    spoken:
      'Hier ist Ihr Behandlungsteam. Ihr Nachsorgekontakt ist {when} fällig. Bitte bestätigen Sie ihn über den Link in Ihren Nachrichten oder bitten Sie um einen anderen Termin.',
  },
  fr: {
    subject: 'Votre rendez-vous de suivi',
    when: { due_in_7_days: 'dans 7 jours', due_in_3_days: 'dans 3 jours', due_today: "aujourd'hui" },
    body: 'Votre contact de suivi avec votre équipe soignante est prévu {when} ({at}).',
    confirm: 'Confirmer : {link}',
    reschedule: 'Demander un autre rendez-vous : {link}',
    page: 'Vos mesures et questionnaires : {link}',
    spoken:
      'Ici votre équipe soignante. Votre contact de suivi est prévu {when}. Utilisez le lien de vos messages pour le confirmer ou demander une autre date.',
  },
};

export interface PatientReminderMessage {
  subject: string;
  text: string;
  spoken: string;
}

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');

/** The reminder in the patient's language (English when the language has no template), with both links (and their page's, when given). */
export function patientReminderMessage(
  language: string,
  kind: PatientReminderKind,
  dueAt: Date,
  timeZone: string,
  links: { confirm: string; reschedule: string; page?: string },
): PatientReminderMessage {
  const template = PATIENT_REMINDER_TEMPLATES[language as PatientLanguage] ?? PATIENT_REMINDER_TEMPLATES.en;
  const when = template.when[kind];
  const at = formatLocalTime(dueAt, timeZone, dueAt);
  return {
    subject: template.subject,
    text: [
      fill(template.body, { when, at }),
      fill(template.confirm, { link: links.confirm }),
      fill(template.reschedule, { link: links.reschedule }),
      ...(links.page ? [fill(template.page, { link: links.page })] : []),
    ].join('\n'),
    spoken: fill(template.spoken, { when }),
  };
}

/** The message with a fresh link to the patient's own page, sent because someone asked at /p/sign-in: {link} {days}. */
export const PATIENT_SIGN_IN_TEMPLATES: Record<PatientLanguage, { subject: string; text: string; spoken: string }> = {
  en: {
    subject: 'Your link to your readings and questions',
    text: 'Here is a new link to your page (readings and questions), valid for {days} days: {link}\nIf you did not ask for it, you can ignore this message.',
    spoken: 'This is your care team. You asked for a new link to your page. A voice call cannot carry it: please ask for it by text message or e-mail.',
  },
  de: {
    subject: 'Ihr Link zu Ihren Messwerten und Fragen',
    text: 'Hier ist ein neuer Link zu Ihrer Seite (Messwerte und Fragen), {days} Tage gültig: {link}\nWenn Sie ihn nicht angefordert haben, können Sie diese Nachricht ignorieren.',
    spoken:
      'Hier ist Ihr Behandlungsteam. Sie haben einen neuen Link zu Ihrer Seite angefordert. Ein Anruf kann ihn nicht übermitteln: bitte fordern Sie ihn per SMS oder E-Mail an.',
  },
  fr: {
    subject: 'Votre lien vers vos mesures et questionnaires',
    text: 'Voici un nouveau lien vers votre page (mesures et questionnaires), valable {days} jours : {link}\nSi vous ne l’avez pas demandé, ignorez ce message.',
    spoken:
      'Ici votre équipe soignante. Vous avez demandé un nouveau lien vers votre page. Un appel ne peut pas le transmettre : demandez-le par SMS ou par e-mail.',
  },
};

/** The sign-in link message in the patient's language (English when the language has no template). */
export function patientSignInMessage(language: string, link: string, days: number): PatientReminderMessage {
  const template = Object.hasOwn(PATIENT_SIGN_IN_TEMPLATES, language) ? PATIENT_SIGN_IN_TEMPLATES[language as PatientLanguage] : PATIENT_SIGN_IN_TEMPLATES.en;
  return { subject: template.subject, text: fill(template.text, { link, days: String(days) }), spoken: template.spoken };
}

import type { PatientPageText } from '@rpm/contracts';
import type { PatientLanguage } from './patient-messages';

/**
 * The fixed texts of the patient's own page (/p/<token>), per language: data, no I/O. The API sends the table of
 * the patient's recorded language with the page, so the browser holds no copy. `{name}` is filled in by the page.
 * Plain words, no clinical judgement beyond what the page already shows in English.
 */
export const PATIENT_PAGE_TEXT: Record<PatientLanguage, PatientPageText> = {
  en: {
    title: 'Your health at home',
    readingsHeading: 'Your last {days} days',
    noReadings: 'No readings from you in the last two weeks.',
    glucoseInRange: 'Your glucose was in range {percent}% of the time this fortnight.',
    lastBloodPressure: 'Your last blood pressure was {systolic}/{diastolic} on {day}.',
    glucoseChart: 'Glucose (mg/dL) — the shaded band is your target range',
    glucoseSeries: 'Glucose',
    bloodPressureChart: 'Blood pressure (mmHg)',
    systolicSeries: 'Upper',
    diastolicSeries: 'Lower',
    chartTime: 'Time',
    followUpHeading: 'Your next check-in',
    noFollowUp: 'No check-in is planned.',
    followUpDue: 'Your care team will contact you on {date}.',
    confirm: 'Confirm',
    reschedule: 'Ask to reschedule',
    confirmed: 'Thank you — your check-in is confirmed.',
    rescheduleRequested: 'Thank you — a nurse will call you to find a better time.',
    followUpGone: 'This follow-up has already taken place or passed; your care team will contact you.',
    questionnairesHeading: 'Questions for you',
    noQuestionnaires: 'Nothing to answer right now. Thank you!',
    sendAnswers: 'Send my answers',
    answersSent: 'Thank you — your answers were sent to your care team.',
    careTeamTold: 'Your care team has been told and will contact you. If you need help now, call your emergency number.',
    questionnaireClosed: 'This questionnaire was already answered or is no longer open. Thank you!',
    linkInvalid: 'This link is not valid or has expired. Please use the link in your latest reminder.',
    somethingWrong: 'Something went wrong. Please try again.',
    tooManyRequests: 'Too many attempts. Please wait a minute and try again.',
    signInHeading: 'Get a new link to your page',
    signInIntro:
      'Enter the mobile number (with country code, such as +44) or the e-mail address your care team has for you. If it matches, we send a new link the way your care team usually contacts you.',
    signInLabel: 'Mobile number or e-mail address',
    signInInvalid: 'We cannot match that: enter the mobile number with its country code (such as +44 7700 900123), or your full e-mail address.',
    signInButton: 'Send me a link',
    signInSent: 'If this matches what your care team has on record, a new link is on its way. It can take a few minutes.',
  },
  de: {
    title: 'Ihre Gesundheit zu Hause',
    readingsHeading: 'Ihre letzten {days} Tage',
    noReadings: 'Keine Messwerte von Ihnen in den letzten zwei Wochen.',
    glucoseInRange: 'Ihr Zucker lag in den letzten zwei Wochen {percent}% der Zeit im Zielbereich.',
    lastBloodPressure: 'Ihr letzter Blutdruck war {systolic}/{diastolic} am {day}.',
    glucoseChart: 'Glukose (mg/dL) — das schattierte Band ist Ihr Zielbereich',
    glucoseSeries: 'Glukose',
    bloodPressureChart: 'Blutdruck (mmHg)',
    systolicSeries: 'Oberer Wert',
    diastolicSeries: 'Unterer Wert',
    chartTime: 'Zeit',
    followUpHeading: 'Ihr nächster Kontakt',
    noFollowUp: 'Kein Kontakt geplant.',
    followUpDue: 'Ihr Behandlungsteam meldet sich am {date} bei Ihnen.',
    confirm: 'Bestätigen',
    reschedule: 'Anderen Termin erbitten',
    confirmed: 'Danke — Ihr Termin ist bestätigt.',
    rescheduleRequested: 'Danke — eine Pflegekraft ruft Sie an, um einen besseren Termin zu finden.',
    followUpGone: 'Dieser Kontakt hat bereits stattgefunden oder ist vorbei; Ihr Behandlungsteam meldet sich bei Ihnen.',
    questionnairesHeading: 'Fragen an Sie',
    noQuestionnaires: 'Im Moment gibt es nichts zu beantworten. Danke!',
    sendAnswers: 'Antworten senden',
    answersSent: 'Danke — Ihre Antworten wurden an Ihr Behandlungsteam gesendet.',
    careTeamTold: 'Ihr Behandlungsteam wurde informiert und meldet sich bei Ihnen. Wenn Sie jetzt Hilfe brauchen, rufen Sie den Notruf an.',
    questionnaireClosed: 'Dieser Fragebogen wurde bereits beantwortet oder ist nicht mehr offen. Danke!',
    linkInvalid: 'Dieser Link ist ungültig oder abgelaufen. Bitte nutzen Sie den Link aus Ihrer letzten Erinnerung.',
    somethingWrong: 'Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.',
    tooManyRequests: 'Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es dann noch einmal.',
    signInHeading: 'Neuen Link zu Ihrer Seite anfordern',
    signInIntro:
      'Geben Sie die Handynummer (mit Ländervorwahl, etwa +49) oder die E-Mail-Adresse ein, die Ihr Behandlungsteam von Ihnen hat. Wenn sie passt, schicken wir Ihnen einen neuen Link auf dem Weg, auf dem Ihr Behandlungsteam Sie sonst erreicht.',
    signInLabel: 'Handynummer oder E-Mail-Adresse',
    signInInvalid:
      'Das können wir nicht zuordnen: Geben Sie die Handynummer mit Ländervorwahl ein (etwa +49 151 23456789) oder Ihre vollständige E-Mail-Adresse.',
    signInButton: 'Link senden',
    signInSent: 'Wenn die Angabe zu den Daten Ihres Behandlungsteams passt, ist ein neuer Link unterwegs. Das kann einige Minuten dauern.',
  },
  fr: {
    title: 'Votre santé à la maison',
    readingsHeading: 'Vos {days} derniers jours',
    noReadings: 'Aucune mesure de votre part ces deux dernières semaines.',
    glucoseInRange: 'Votre glycémie était dans la cible {percent} % du temps ces deux dernières semaines.',
    lastBloodPressure: 'Votre dernière tension était de {systolic}/{diastolic} le {day}.',
    glucoseChart: 'Glycémie (mg/dL) — la bande grisée est votre cible',
    glucoseSeries: 'Glycémie',
    bloodPressureChart: 'Tension artérielle (mmHg)',
    systolicSeries: 'Haute',
    diastolicSeries: 'Basse',
    chartTime: 'Heure',
    followUpHeading: 'Votre prochain contact',
    noFollowUp: 'Aucun contact n’est prévu.',
    followUpDue: 'Votre équipe soignante vous contactera le {date}.',
    confirm: 'Confirmer',
    reschedule: 'Demander un autre rendez-vous',
    confirmed: 'Merci — votre rendez-vous est confirmé.',
    rescheduleRequested: 'Merci — une infirmière vous appellera pour trouver un meilleur moment.',
    followUpGone: 'Ce suivi a déjà eu lieu ou est passé ; votre équipe soignante vous contactera.',
    questionnairesHeading: 'Questions pour vous',
    noQuestionnaires: 'Rien à remplir pour le moment. Merci !',
    sendAnswers: 'Envoyer mes réponses',
    answersSent: 'Merci — vos réponses ont été envoyées à votre équipe soignante.',
    careTeamTold: 'Votre équipe soignante a été prévenue et vous contactera. Si vous avez besoin d’aide maintenant, appelez le numéro d’urgence.',
    questionnaireClosed: 'Ce questionnaire a déjà été rempli ou n’est plus ouvert. Merci !',
    linkInvalid: 'Ce lien n’est pas valide ou a expiré. Utilisez le lien de votre dernier rappel.',
    somethingWrong: 'Une erreur est survenue. Veuillez réessayer.',
    tooManyRequests: 'Trop de tentatives. Attendez une minute puis réessayez.',
    signInHeading: 'Recevoir un nouveau lien vers votre page',
    signInIntro:
      'Saisissez le numéro de portable (avec l’indicatif du pays, par exemple +33) ou l’adresse e-mail que votre équipe soignante a pour vous. S’il correspond, nous vous envoyons un nouveau lien par le moyen habituel de votre équipe soignante.',
    signInLabel: 'Numéro de portable ou adresse e-mail',
    signInInvalid:
      'Nous ne pouvons pas l’utiliser : saisissez le numéro de portable avec l’indicatif du pays (par exemple +33 6 12 34 56 78) ou votre adresse e-mail complète.',
    signInButton: 'M’envoyer un lien',
    signInSent: 'Si cela correspond à ce que votre équipe soignante a enregistré, un nouveau lien est en route. Cela peut prendre quelques minutes.',
  },
};

/** The texts in `language`, English for a language without a table (any key a table lacks, too). */
export function patientPageText(language: string): { language: PatientLanguage; text: PatientPageText } {
  // "de-CH", "fr_BE", "DE": the primary language of a tag, as a browser or a caller of the API may send it.
  const primary = language.split(/[-_]/)[0].toLowerCase();
  const known = Object.hasOwn(PATIENT_PAGE_TEXT, primary) ? (primary as PatientLanguage) : 'en';
  return { language: known, text: { ...PATIENT_PAGE_TEXT.en, ...PATIENT_PAGE_TEXT[known] } };
}

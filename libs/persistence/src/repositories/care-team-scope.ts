import type { DataSource } from 'typeorm';

/**
 * Who may see which patient: a clinician sees the patients of the care teams they belong to, and no one
 * else. The one place that joins patients to care-team members; queries that list a clinician's patients
 * take their join from here.
 */
export class CareTeamScope {
  constructor(private readonly dataSource: DataSource) {}

  /** The JOIN that keeps rows of `patients` aliased `patient` only when the user bound at `userParam` is on its team. */
  static join(patient: string, userParam: string): string {
    return `JOIN care_team_members m ON m.care_team_id = ${patient}.care_team_id AND m.user_id = ${userParam}`;
  }

  async canSee(userId: string, patientId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM patients p ${CareTeamScope.join('p', '$2')} WHERE p.id = $1 LIMIT 1`, [
      patientId,
      userId,
    ]);
    return rows.length > 0;
  }

  async patientIds(userId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT DISTINCT p.id FROM patients p ${CareTeamScope.join('p', '$1')}`, [userId]);
    return rows.map((row) => row.id);
  }

  async countPatients(userId: string): Promise<number> {
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM patients p ${CareTeamScope.join('p', '$1')}`, [userId]);
    return total;
  }

  /** E-mail addresses of the doctors and nurses caring for the patient, for alert mail. */
  async clinicianEmails(patientId: string): Promise<string[]> {
    const rows: { email: string }[] = await this.dataSource.query(`SELECT DISTINCT u.email ${this.caringUsers()} AND u.role IN ('doctor', 'nurse')`, [
      patientId,
    ]);
    return rows.map((row) => row.email);
  }

  /** Mobile numbers of the patient's care teams' members who gave one, for urgent SMS. */
  async clinicianPhones(patientId: string): Promise<string[]> {
    const rows: { phone: string }[] = await this.dataSource.query(`SELECT DISTINCT u.phone ${this.caringUsers()} AND u.phone IS NOT NULL`, [patientId]);
    return rows.map((row) => row.phone);
  }

  private caringUsers(): string {
    return 'FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id JOIN users u ON u.id = m.user_id WHERE p.id = $1';
  }
}

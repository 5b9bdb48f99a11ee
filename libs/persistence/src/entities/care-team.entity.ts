import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'care_teams' })
export class CareTeamEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;
}

/** Which clinicians belong to which care team: a clinician sees the patients of their teams only. */
@Entity({ name: 'care_team_members' })
export class CareTeamMemberEntity {
  @PrimaryColumn({ name: 'care_team_id', type: 'uuid' })
  careTeamId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
}

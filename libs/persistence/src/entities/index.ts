import { AlertEntity } from './alert.entity';
import { AuditEntryEntity } from './audit-entry.entity';
import { CareTeamEntity, CareTeamMemberEntity } from './care-team.entity';
import { DeviceEntity } from './device.entity';
import { PatientEntity } from './patient.entity';
import { SessionEntity } from './session.entity';
import { UserEntity } from './user.entity';

export * from './alert.entity';
export * from './audit-entry.entity';
export * from './care-team.entity';
export * from './device.entity';
export * from './patient.entity';
export * from './session.entity';
export * from './user.entity';

export const ENTITIES = [AlertEntity, AuditEntryEntity, CareTeamEntity, CareTeamMemberEntity, DeviceEntity, PatientEntity, SessionEntity, UserEntity];

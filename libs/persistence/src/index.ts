export * from './entities';
export * from './data-source';
export * from './audit-chain';
export * from './audit-checkpoint';
export * from './audit-checkpoint-file';
export * from './database-roles';

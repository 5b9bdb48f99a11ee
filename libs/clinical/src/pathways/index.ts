export * from './pathway-template';
export * from './default-pathways';

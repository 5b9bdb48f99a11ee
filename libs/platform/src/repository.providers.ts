import type { FactoryProvider } from '@nestjs/common';
import { REPOSITORIES } from '@rpm/persistence';
import { DataSource } from 'typeorm';

/** The persistence repositories as Nest providers, each built on the app's DataSource. */
export const repositoryProviders = (): FactoryProvider[] =>
  REPOSITORIES.map((repository) => ({ provide: repository, inject: [DataSource], useFactory: (dataSource: DataSource) => new repository(dataSource) }));

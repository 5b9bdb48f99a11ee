/** Where global setup started the real services; read by every test file. */
export interface TestServices {
  postgresAdminUrl: string;
  influxUrl: string;
  /** Prefix of every database this run creates, so teardown drops exactly those. */
  databasePrefix: string;
}

export const TEST_SERVICES_VARIABLE = 'RPM_TEST_SERVICES';

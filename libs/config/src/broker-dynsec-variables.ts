import { z } from 'zod';
import { caFile, checkCaFile, pemFile } from './tls-variables';

/**
 * External broker mode with Mosquitto's dynamic-security plugin: the API keeps the broker's clients in
 * step with device registration, pairing and revocation (docs/deployment.md, "External broker mode"),
 * logged in as a dynsec admin over MQTT. Off by default: with the embedded broker the gateway checks
 * device credentials itself.
 */
export const brokerDynsecVariables = {
  BROKER_DYNSEC: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  BROKER_DYNSEC_URL: z.url({ error: 'must be a broker URL such as mqtts://broker:8884' }).optional(),
  BROKER_DYNSEC_USERNAME: z.string().min(1).optional(),
  BROKER_DYNSEC_PASSWORD: z.string().min(1).optional(),
  BROKER_DYNSEC_CA_FILE: pemFile,
};

export interface BrokerDynsecConfig {
  url: string;
  username: string;
  password: string;
  ca?: Buffer;
}

type BrokerDynsecEnv = {
  BROKER_DYNSEC: 'on' | 'off';
  BROKER_DYNSEC_URL?: string;
  BROKER_DYNSEC_USERNAME?: string;
  BROKER_DYNSEC_PASSWORD?: string;
  BROKER_DYNSEC_CA_FILE?: string;
};

export function checkBrokerDynsec(env: BrokerDynsecEnv, ctx: z.RefinementCtx): void {
  checkCaFile(env, ctx, 'BROKER_DYNSEC_CA_FILE');
  if (env.BROKER_DYNSEC !== 'on') return;
  if (env.BROKER_DYNSEC_URL && !/^mqtts?:\/\//.test(env.BROKER_DYNSEC_URL)) {
    ctx.addIssue({ code: 'custom', path: ['BROKER_DYNSEC_URL'], message: 'must start with mqtt:// or mqtts://' });
  }
  const required = {
    BROKER_DYNSEC_URL: 'the broker URL the API administers dynamic security through',
    BROKER_DYNSEC_USERNAME: "a dynsec admin client's username (mosquitto_ctrl dynsec init)",
    BROKER_DYNSEC_PASSWORD: "that admin client's password",
  } as const;
  for (const [variable, what] of Object.entries(required)) {
    if (!env[variable as keyof typeof required]) {
      ctx.addIssue({ code: 'custom', path: [variable], message: `is required when BROKER_DYNSEC=on: ${what}` });
    }
  }
}

export function brokerDynsecConfigFrom(env: BrokerDynsecEnv): BrokerDynsecConfig | undefined {
  if (env.BROKER_DYNSEC !== 'on' || !env.BROKER_DYNSEC_URL || !env.BROKER_DYNSEC_USERNAME || !env.BROKER_DYNSEC_PASSWORD) return undefined;
  return {
    url: env.BROKER_DYNSEC_URL,
    username: env.BROKER_DYNSEC_USERNAME,
    password: env.BROKER_DYNSEC_PASSWORD,
    ca: caFile(env.BROKER_DYNSEC_CA_FILE),
  };
}

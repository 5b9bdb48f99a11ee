import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses environment variables with a zod schema and reports every problem at once, each naming the
 * variable and what would fix it, so an operator fixes the environment in one go.
 */
export function loadConfig<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv = process.env): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      // z.coerce.number() reports "expected number, received NaN", which hides what was typed; numbers are no secret.
      // A schema's own sentence (e.g. "must be a TCP port number") is kept.
      if (issue.code === 'invalid_type' && issue.expected === 'number' && typeof env[variable] === 'string') {
        const sentence = /expected number/i.test(issue.message) ? 'must be a number' : issue.message;
        return `${variable}: ${sentence}, not ${JSON.stringify(env[variable])}`;
      }
      return `${variable}: ${issue.message}`;
    }),
  );
}

/** For `main.ts` files: load the config or print what is wrong and exit with status 78 (EX_CONFIG). */
export function loadConfigOrExit<Schema extends z.ZodType>(schema: Schema, appName: string): z.infer<Schema> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${appName}: ${error.message}\nSee docs/configuration.md for every variable.\n`);
    process.exit(78);
  }
}

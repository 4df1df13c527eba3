import { plainToInstance } from 'class-transformer';
import type { ValidationError } from 'class-validator';
import { validateSync } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type EnvSchema<T extends object> = new () => T;

/** Settings whose values are credentials: a start-up message never repeats them. */
const SECRET_SETTING = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|(^|_)KEYS?$)/i;

/** Whether a setting holds a credential (by its name), e.g. SECRETS_ENCRYPTION_KEY, OPERATOR_TOKEN. */
export function isSecretSetting(name: string): boolean {
  return SECRET_SETTING.test(name);
}

/**
 * How a rejected value is shown: a secret's only by its length, a URL with its password masked
 * (DATABASE_URL, REDIS_URL), anything else as it was given.
 */
export function shownValue(name: string, value: unknown): string {
  if (isSecretSetting(name)) {
    return typeof value === 'string'
      ? `a value of ${value.length} characters, not shown`
      : 'a value, not shown';
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.replace(/(\/\/[^:/@\s"]*):[^@/\s"]*@/g, '$1:***@');
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const name = prefix + e.property;
    const own = Object.values(e.constraints ?? {}).map(
      (message) => `${name}: ${message} (got ${shownValue(name, e.value)})`,
    );
    return [...own, ...describe(e.children ?? [], `${name}.`)];
  });
}

/** Converts a variable to the type of its default (number, boolean); anything else stays text. */
function convertLike(defaultValue: unknown, value: string): unknown {
  if (typeof defaultValue === 'number' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (typeof defaultValue === 'boolean') {
    const lower = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
  }
  return value;
}

/**
 * Reads settings from the environment into a class-validator class. Defaults are the class's
 * field initializers; an empty variable counts as unset. A missing or bad variable throws a
 * ConfigError naming each variable and the rule it broke, so start-up stops with a clear message.
 */
export function loadConfig<T extends object>(
  schema: EnvSchema<T>,
  env: Record<string, string | undefined> = process.env,
): T {
  const defaults = new schema() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    raw[key] = value === undefined || value === '' ? defaults[key] : convertLike(defaults[key], value);
  }
  const config = plainToInstance(schema, raw);
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(describe(errors));
  return config;
}

/** Reading configuration from the environment (the only place the SDK looks at process.env). */

export const DEFAULT_BASE_URL = 'http://localhost:8000';

export function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env[name] : undefined;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** KEITO_API_URL, else KEITO_BASE_URL, else the local keito-server. */
export function baseUrlFromEnv(): string {
  return env('KEITO_API_URL') ?? env('KEITO_BASE_URL') ?? DEFAULT_BASE_URL;
}

import type { z } from 'zod';

/** Parses `raw` (undefined = defaults) with `schema`; a bad field throws TypeError naming it ("`who`: field: message; …"). */
export function parseConfig<S extends z.ZodType>(schema: S, who: string, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const text = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new TypeError(`${who}: ${text}`);
}

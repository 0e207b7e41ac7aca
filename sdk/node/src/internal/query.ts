/** Query strings: undefined and null are left out; booleans and numbers are written as text. */

export type QueryValue = string | number | boolean | null | undefined | Date | readonly (string | number)[];

export function buildQuery(params: object | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, QueryValue>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) search.append(key, value.join(','));
    else if (value instanceof Date) search.append(key, value.toISOString());
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** `{id}`-style path templates filled with encoded values. */
export function pathOf(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`${name} is required`);
    return encodeURIComponent(value);
  });
}

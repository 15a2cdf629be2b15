/**
 * Subject templates: `{field}` placeholders filled from a notification.
 *
 * @remarks
 * Pure. Placeholders are checked when the config is validated, so rendering never meets an
 * unknown one. `{{` and `}}` write a literal brace.
 */

/** Placeholders a subject template may use. */
export const TEMPLATE_FIELDS = ['app', 'host', 'jobId', 'owner', 'outcome', 'status', 'event', 'rule'] as const;

/** A placeholder name. */
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_FIELDS);

/** What is wrong with `template`, or `undefined` when it is valid. */
export function templateProblem(template: string): string | undefined {
  for (const match of template.matchAll(TOKEN)) {
    const [token, name] = match;
    if (token === '{{' || token === '}}') continue;
    if (name === undefined) return `unmatched "${token}" at character ${match.index + 1} (write {{ or }} for a literal brace)`;
    if (!KNOWN.has(name)) return `unknown placeholder {${name}}`;
  }
  return undefined;
}

/** Fills `template` from `values` (a template {@link templateProblem} accepted). */
export function renderTemplate(template: string, values: Readonly<Record<TemplateField, string>>): string {
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    return name !== undefined && KNOWN.has(name) ? values[name as TemplateField] : token;
  });
}

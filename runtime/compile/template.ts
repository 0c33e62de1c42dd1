import type { BindPlan, Template, TemplatePart } from './plan.js';
import { MUSTACHE } from '../util/vocabulary.js';

const ENV_NAMESPACE = 'env';

/** What a `{{name}}` may refer to where a template is compiled. */
export interface TemplateScope {
  binds: BindPlan[];
  /**
   * Whether an undeclared bare name is a secret read from the environment (auth fields, where
   * real files use `{{GITHUB_TOKEN}}` without declaring it) or a caller input (paths, bodies).
   */
  undeclaredIsSecret: boolean;
}

/**
 * Splits a string from the file into literal text, bound variables and caller inputs, once, at load.
 * `{{VAR}}` is a variable declared in some bind's `keys`; `{{ns.VAR}}` is VAR of bind `ns`, and
 * `{{env.VAR}}` reads the environment even without a bind called `env`. `{{expose.param}}` references
 * from exposes are the caller input `param`.
 */
export function compileTemplate(raw: string, scope: TemplateScope): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of raw.matchAll(MUSTACHE)) {
    if (match.index > last) parts.push({ kind: 'text', text: raw.slice(last, match.index) });
    parts.push(classify(match[1], match[0], scope));
    last = match.index + match[0].length;
  }
  if (last < raw.length) parts.push({ kind: 'text', text: raw.slice(last) });
  return { raw, parts };
}

function classify(name: string, ref: string, scope: TemplateScope): TemplatePart {
  const dot = name.indexOf('.');
  if (dot > 0) {
    const namespace = name.slice(0, dot);
    const variable = name.slice(dot + 1);
    const bind = scope.binds.find((b) => b.namespace === namespace);
    if (bind) return { kind: 'secret', bind, key: bind.keys[variable] ?? variable, ref };
    if (namespace === ENV_NAMESPACE) return { kind: 'secret', bind: undefined, key: variable, ref };
    return { kind: 'input', name: variable };
  }
  for (const bind of scope.binds) {
    const key = bind.keys[name];
    if (key !== undefined) return { kind: 'secret', bind, key, ref };
  }
  if (scope.undeclaredIsSecret) return { kind: 'secret', bind: undefined, key: name, ref };
  return { kind: 'input', name };
}

/** True when the template is plain text. */
export function isLiteral(template: Template): boolean {
  return template.parts.every((p) => p.kind === 'text');
}

/** Names of the caller inputs a template refers to. */
export function templateInputs(template: Template): string[] {
  return template.parts.flatMap((p) => (p.kind === 'input' ? [p.name] : []));
}

/** Whether any part of the template is a bound variable. */
export function hasSecret(template: Template): boolean {
  return template.parts.some((p) => p.kind === 'secret');
}

/** Names the importer gives: operations without an operationId, resources, namespaces, environment variables. */

/** `Get the Pets!` → `get-the-pets`; `userId` → `user-id`. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

/** `vitable-groups` → `VITABLE_GROUPS`; an environment variable name always starts with a letter. */
export function envName(text: string): string {
  const name = text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[A-Z]/.test(name) ? name : `API_${name}`;
}

/**
 * A readable operation name from its method and path, for operations without an operationId:
 * `GET /pets` → `list-pets`, `GET /pets/{petId}` → `get-pets-by-pet-id`, `POST /pets` → `create-pets`.
 * A GET whose path ends with a placeholder reads one item; otherwise it lists.
 */
export function operationNameFromPath(method: string, path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  const endsWithItem = segments.length > 0 && /^\{.*\}$/.test(segments[segments.length - 1]);
  const verbs: Record<string, string> = { GET: endsWithItem ? 'get' : 'list', POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete' };
  const words = segments.map((s) => {
    const placeholder = /^\{(.*)\}$/.exec(s);
    return placeholder ? `by-${kebab(placeholder[1])}` : kebab(s);
  });
  return [verbs[method] ?? method.toLowerCase(), ...words].filter((w) => w !== '').join('-');
}

/** `/v2/user/{user_id}/insurance` → `v2-user-user-id-insurance`; `/` → `root`. */
export function resourceNameFromPath(path: string): string {
  return kebab(path.replace(/[{}]/g, '')) || 'root';
}


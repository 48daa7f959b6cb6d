import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTemplateCatalog, type TemplateCatalog } from '../domain';

/** Where the templates live unless NOTIFIER_TEMPLATES_DIR says otherwise: apps/notifier/templates. */
export const DEFAULT_TEMPLATES_DIR = resolve(__dirname, '../../templates');

/** Reads every *.yaml of the folder and lets the domain check the catalog (throws TemplateCatalogError with every problem). */
export function loadTemplateCatalog(directory: string = DEFAULT_TEMPLATES_DIR): TemplateCatalog {
  const files = new Map<string, string>();
  for (const name of readdirSync(directory)) {
    if (name.endsWith('.yaml')) files.set(name, readFileSync(join(directory, name), 'utf8'));
  }
  return parseTemplateCatalog(files);
}

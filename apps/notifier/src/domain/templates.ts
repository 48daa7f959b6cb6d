import Mustache from 'mustache';
import { parse as parseYaml } from 'yaml';
import type { Language } from './legal-content';

export type Channel = 'sms' | 'email' | 'letter';

/** What a template says about itself (templates/catalog.yaml). */
export interface TemplateMeta {
  readonly tone: 'friendly' | 'firm';
  /** Days from sending the customer gets to pay when the request names no date. */
  readonly payWithinDays?: number;
  /** The country's collection-demand rules apply (Sweden: at least 8 days to pay). */
  readonly collectionDemand: boolean;
  /** The text must state fees and statutory default interest where the country asks for it. */
  readonly statesCosts: boolean;
}

/** One template in one language: Mustache sources. */
export interface TemplateText {
  readonly subject: string;
  readonly sms: string;
  readonly text: string;
  readonly html?: string;
}

export interface TemplateCatalog {
  readonly templates: ReadonlyMap<string, { readonly meta: TemplateMeta; readonly texts: ReadonlyMap<Language, TemplateText> }>;
  readonly languages: readonly Language[];
  readonly fallbackLanguage: Language;
}

/** Names a template may use; anything else is a typo that would silently render as nothing. */
export const TEMPLATE_VARIABLES = [
  'brand',
  'name',
  'invoiceNumber',
  'amount',
  'originalAmount',
  'dueDate',
  'paymentReference',
  'paymentLink',
  'fee',
  'compensation',
  'total',
  'payBy',
  'daysToPay',
  'interest',
  'statement',
] as const;

export class TemplateCatalogError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`template catalog is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'TemplateCatalogError';
  }
}

const LANGUAGES: readonly Language[] = ['sv', 'de', 'en'];
const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

function variablesOf(source: string): string[] {
  const names: string[] = [];
  const walk = (tokens: unknown[]): void => {
    for (const token of tokens as [string, string, number, number, unknown[]?][]) {
      const [type, value, , , children] = token;
      if (type === 'name' || type === '&' || type === '#' || type === '^') names.push(value.split('.')[0] ?? value);
      if (Array.isArray(children)) walk(children);
    }
  };
  walk(Mustache.parse(source) as unknown[]);
  return names;
}

/**
 * Reads the catalog from its files' contents (file name → text), so the rules live here and the
 * adapter only lists a folder. Every template must exist in every language and use only known
 * variables; every problem is reported at once, so an operator fixes them in one go.
 */
export function parseTemplateCatalog(files: ReadonlyMap<string, string>): TemplateCatalog {
  const problems: string[] = [];
  const catalogSource = files.get('catalog.yaml');
  if (!catalogSource) throw new TemplateCatalogError(['catalog.yaml is missing']);
  const catalog = parseYaml(catalogSource) as {
    templates?: Record<string, Partial<Record<keyof TemplateMeta, unknown>> | null>;
    languages?: unknown[];
    fallbackLanguage?: unknown;
  };
  const languages = (catalog.languages ?? []).filter(isLanguage);
  if (languages.length === 0) problems.push('catalog.yaml names no supported language (sv, de, en)');
  const fallbackLanguage = isLanguage(catalog.fallbackLanguage) ? catalog.fallbackLanguage : 'en';
  if (!languages.includes(fallbackLanguage)) problems.push(`fallbackLanguage ${fallbackLanguage} is not among the languages`);

  const templates = new Map<string, { meta: TemplateMeta; texts: Map<Language, TemplateText> }>();
  for (const [id, raw] of Object.entries(catalog.templates ?? {})) {
    const entry = raw ?? {};
    const payWithinDays = entry.payWithinDays;
    if (payWithinDays !== undefined && !(typeof payWithinDays === 'number' && Number.isInteger(payWithinDays) && payWithinDays > 0)) {
      problems.push(`${id}: payWithinDays must be a positive whole number of days`);
    }
    const meta: TemplateMeta = {
      tone: entry.tone === 'firm' ? 'firm' : 'friendly',
      ...(typeof payWithinDays === 'number' ? { payWithinDays } : {}),
      collectionDemand: entry.collectionDemand === true,
      statesCosts: entry.statesCosts === true,
    };
    const texts = new Map<Language, TemplateText>();
    for (const language of languages) {
      const fileName = `${id}.${language}.yaml`;
      const source = files.get(fileName);
      if (source === undefined) {
        problems.push(`${fileName} is missing`);
        continue;
      }
      let parsed: Record<string, unknown>;
      try {
        parsed = (parseYaml(source) ?? {}) as Record<string, unknown>;
      } catch (error) {
        problems.push(`${fileName}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
        continue;
      }
      const text: Partial<Record<keyof TemplateText, string>> = {};
      for (const part of ['subject', 'sms', 'text', 'html'] as const) {
        const value = parsed[part];
        if (value === undefined && part === 'html') continue;
        if (typeof value !== 'string' || value.trim() === '') {
          problems.push(`${fileName}: '${part}' must be a non-empty text`);
          continue;
        }
        try {
          const unknown = variablesOf(value).filter((name) => !(TEMPLATE_VARIABLES as readonly string[]).includes(name));
          if (unknown.length > 0) problems.push(`${fileName}: '${part}' uses unknown variable(s) ${[...new Set(unknown)].join(', ')}`);
        } catch (error) {
          problems.push(`${fileName}: '${part}' is not a valid template (${error instanceof Error ? error.message : String(error)})`);
          continue;
        }
        text[part] = value;
      }
      if (text.subject && text.sms && text.text) {
        texts.set(language, { subject: text.subject, sms: text.sms, text: text.text, ...(text.html ? { html: text.html } : {}) });
      }
    }
    templates.set(id, { meta, texts });
  }
  if (templates.size === 0) problems.push('catalog.yaml lists no templates');
  if (problems.length > 0) throw new TemplateCatalogError(problems);
  return { templates, languages, fallbackLanguage };
}

/** sv-SE → sv; a language without templates falls back to the catalog's fallback language. */
export function languageFor(catalog: TemplateCatalog, locale: string): Language {
  const language = locale.toLowerCase().split(/[-_]/)[0];
  return isLanguage(language) && catalog.languages.includes(language) ? language : catalog.fallbackLanguage;
}

/** Renders a Mustache source without HTML escaping (plain text, SMS, PDF). */
export function renderPlain(source: string, view: object): string {
  return Mustache.render(source, view, {}, { escape: (value: string) => value });
}

/** Renders a Mustache source with HTML escaping of every value (an operator's own HTML template). */
export function renderHtml(source: string, view: object): string {
  return Mustache.render(source, view, {}, { escape: escapeHtml });
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The HTML e-mail made from the rendered plain text: the whole text is escaped (values and the
 * operator's wording alike), blank lines become paragraphs, https links become anchors.
 */
export function htmlFromText(text: string, language: Language, title: string): string {
  const paragraphs = text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => escapeHtml(paragraph.trim()).replace(/\n/g, '<br>\n').replace(/(https:\/\/[^\s<]+)/g, '<a href="$1">$1</a>'))
    .map((paragraph) => `<p>${paragraph}</p>`);
  return [
    '<!doctype html>',
    `<html lang="${language}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #222;">',
    ...paragraphs,
    '</body>',
    '</html>',
  ].join('\n');
}

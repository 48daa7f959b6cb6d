// The notifier's pure domain: templates and their rendering, content rules of law, send-time checks.
// No framework, no I/O, no clock: time and data come in as arguments.
export * from './money';
export * from './dates';
export * from './legal-content';
export * from './templates';
export * from './render-message';
export * from './contact-window';
export * from './send-decision';

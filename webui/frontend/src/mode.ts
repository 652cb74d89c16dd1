import type { TemplateArgs } from './wire';

/**
 * What the page is: the live dashboard, the static report, or a file that was
 * opened without the server having filled in its arguments.
 */
export type PageMode = 'live' | 'report' | 'unfilled';

/** Picks the page mode from window.templateArgs as the server substituted it. */
export function pageMode(args: unknown): PageMode {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return 'unfilled';
  }
  return (args as TemplateArgs).is_report === true ? 'report' : 'live';
}

/**
 * The theme the server asked for ("dark", "light"), or null to leave the
 * choice to the user's stored preference and the system setting.
 */
export function requestedTheme(theme: unknown): 'dark' | 'light' | null {
  return theme === 'dark' || theme === 'light' ? theme : null;
}

/** Whether the system prefers a dark colour scheme (false where it cannot be asked). */
export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

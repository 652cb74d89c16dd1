// The page's arguments, read before locust-ui is imported. locust-ui copies
// window.templateArgs into its store the moment it is first imported; the LLM
// history (thousands of points) is ours alone, so it is taken out first and
// kept here, as it arrived.
import { pageMode, type PageMode } from './mode';
import type { LlmReq, LlmPoint, TemplateArgs } from './wire';

declare global {
  interface Window {
    templateArgs?: unknown;
    theme?: unknown;
    baseUrl?: string;
  }
}

/** How the page runs: live dashboard, static report, or unfilled template. */
export const mode: PageMode = pageMode(window.templateArgs);

/** The templateArgs as the server sent them (snake_case); empty when unfilled. */
export const args: TemplateArgs = mode === 'unfilled' ? {} : { ...(window.templateArgs as TemplateArgs) };

/** The LLM points the page starts with. */
export const initialPoints: LlmPoint[] = Array.isArray(args.llm?.points) ? args.llm.points : [];

/** The finished LLM requests the page starts with. */
export const initialRequests: LlmReq[] = Array.isArray(args.llm?.requests) ? args.llm.requests : [];

if (mode !== 'unfilled') {
  delete (window.templateArgs as TemplateArgs).llm;
}

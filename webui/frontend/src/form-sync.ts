// locust-ui's start and Edit forms take the scenario options' defaults from
// the page's templateArgs and never update them. After a test starts with
// max_tokens 12 on a page loaded with 16, the Edit dialog offers 16 and, on
// Update, sends it back: the test quietly loses the value it runs with. This
// keeps the store's defaults at the values of the last successful /swarm.
// locust-ui keeps no copy of what a form sent, so the values are read from
// the form as it is submitted, and applied once the server has accepted it.

/** One scenario option of locust-ui's store (camelCased templateArgs). */
export interface ExtraOption {
  defaultValue?: unknown;
  isSecret?: boolean;
  [key: string]: unknown;
}

export type ExtraOptions = Record<string, ExtraOption>;

/** The part of a Redux store this needs. */
export interface StoreLike {
  getState(): unknown;
  dispatch(action: { type: string; payload: unknown }): unknown;
  subscribe(listener: () => void): () => void;
}

interface MutationEntry {
  endpointName?: string;
  status?: string;
  data?: { success?: unknown };
}

// The submitted text as the default's own type: a checkbox stays a boolean
// (locust-ui draws a checkbox only for a boolean default), a number a number.
function asDefault(previous: unknown, value: unknown): unknown {
  if (typeof previous === 'boolean') {
    return value === true || value === 'true';
  }
  if (typeof previous === 'number' && value !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return value;
}

/**
 * The options with the submitted values as their defaults, or null when none
 * changes. Secrets, which the form never shows, and options the form did not
 * send keep theirs.
 */
export function submittedDefaults(options: ExtraOptions, submitted: Record<string, unknown>): ExtraOptions | null {
  let changed = false;
  const next: ExtraOptions = {};
  for (const [name, option] of Object.entries(options)) {
    next[name] = option;
    if (option.isSecret || !(name in submitted)) {
      continue;
    }
    const value = asDefault(option.defaultValue, submitted[name]);
    if (value !== option.defaultValue) {
      next[name] = { ...option, defaultValue: value };
      changed = true;
    }
  }
  return changed ? next : null;
}

/** The values a form sends, by field name, read as locust-ui reads them. */
export function formValues(form: HTMLFormElement): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')) {
    if (!field.name) {
      continue;
    }
    if (field instanceof HTMLInputElement && field.type === 'checkbox') {
      values[field.name] = field.checked;
    } else if (field instanceof HTMLSelectElement && field.multiple) {
      values[field.name] = Array.from(field.selectedOptions, option => option.value);
    } else {
      values[field.name] = field.value;
    }
  }
  return values;
}

/** How many /swarm posts the server accepted that are not in seen, which gains their ids. */
export function newAcceptedStarts(state: unknown, seen: Set<string>): number {
  const mutations = (state as { api?: { mutations?: Record<string, MutationEntry> } } | null)?.api?.mutations ?? {};
  let accepted = 0;
  for (const [id, entry] of Object.entries(mutations)) {
    if (seen.has(id) || entry?.endpointName !== 'startSwarm' || entry.status !== 'fulfilled') {
      continue;
    }
    seen.add(id);
    if (entry.data?.success === true) {
      accepted++;
    }
  }
  return accepted;
}

/** Keeps the store's option defaults at the values last accepted; returns what stops it. */
export function keepSubmittedOptions(store: StoreLike, doc: Document = document): () => void {
  const seen = new Set<string>();
  let sent: Record<string, unknown> | null = null;
  // Capturing, so that the values are read before locust-ui's own handler
  // posts them and the form goes away.
  const onSubmit = (event: Event) => {
    if (event.target instanceof HTMLFormElement) {
      sent = formValues(event.target);
    }
  };
  doc.addEventListener('submit', onSubmit, true);
  const unsubscribe = store.subscribe(() => {
    if (newAcceptedStarts(store.getState(), seen) === 0 || !sent) {
      return;
    }
    const options = (store.getState() as { swarm?: { extraOptions?: ExtraOptions } }).swarm?.extraOptions;
    const next = options && submittedDefaults(options, sent);
    sent = null;
    if (next) {
      store.dispatch({ type: 'swarm/setSwarm', payload: { extraOptions: next } });
    }
  });
  return () => {
    doc.removeEventListener('submit', onSubmit, true);
    unsubscribe();
  };
}

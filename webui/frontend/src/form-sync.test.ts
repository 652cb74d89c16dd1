import { describe, expect, it } from 'vitest';

import { formValues, keepSubmittedOptions, newAcceptedStarts, submittedDefaults, type ExtraOptions } from './form-sync';

const options: ExtraOptions = {
  maxTokens: { defaultValue: 16, helpText: 'output tokens' },
  model: { defaultValue: 'mock-model' },
  includeUsage: { defaultValue: true },
  apiKey: { defaultValue: '', isSecret: true },
};

describe('submittedDefaults', () => {
  it('takes the submitted values, in the types of the defaults', () => {
    const next = submittedDefaults(options, { maxTokens: '12', model: 'llama', includeUsage: false, apiKey: 'typed', userCount: '9' });
    expect(next).toEqual({
      maxTokens: { defaultValue: 12, helpText: 'output tokens' },
      model: { defaultValue: 'llama' },
      includeUsage: { defaultValue: false },
      apiKey: { defaultValue: '', isSecret: true },
    });
  });

  it('changes nothing for the same values or options not sent', () => {
    expect(submittedDefaults(options, { maxTokens: '16', userCount: '3' })).toBeNull();
  });

  it('keeps text that is not a number as text', () => {
    expect(submittedDefaults(options, { maxTokens: 'lots' })?.maxTokens.defaultValue).toBe('lots');
  });
});

function state(mutations: Record<string, unknown>, extraOptions = options) {
  return { api: { mutations }, swarm: { extraOptions } };
}

const accepted = { endpointName: 'startSwarm', status: 'fulfilled', data: { success: true } };

describe('newAcceptedStarts', () => {
  it('counts each start the server accepted once', () => {
    const seen = new Set<string>();
    const s = state({
      a: accepted,
      b: { ...accepted, data: { success: false } },
      c: { ...accepted, status: 'pending' },
      d: { ...accepted, endpointName: 'stopSwarm' },
    });
    expect(newAcceptedStarts(s, seen)).toBe(1);
    expect(newAcceptedStarts(s, seen)).toBe(0);
  });

  it('reads nothing from a state without mutations', () => {
    expect(newAcceptedStarts(undefined, new Set())).toBe(0);
  });
});

function form(html: string): HTMLFormElement {
  document.body.innerHTML = `<form>${html}<button type="submit">Start</button></form>`;
  const element = document.querySelector('form') as HTMLFormElement;
  element.addEventListener('submit', event => event.preventDefault());
  return element;
}

describe('formValues', () => {
  it('reads fields as locust-ui sends them', () => {
    const f = form(`<input name="userCount" value="9"><input name="includeUsage" type="checkbox">
      <select name="api"><option>openai-chat</option><option selected>tgi</option></select><input value="no name">`);
    expect(formValues(f)).toEqual({ userCount: '9', includeUsage: false, api: 'tgi' });
  });
});

// A store that holds a state and calls its listeners on demand.
function fakeStore(initial: unknown) {
  let current = initial;
  const listeners: (() => void)[] = [];
  const actions: unknown[] = [];
  return {
    actions,
    listeners,
    set(next: unknown) {
      current = next;
      listeners.forEach(listener => listener());
    },
    getState: () => current,
    dispatch: (action: unknown) => actions.push(action),
    subscribe: (listener: () => void) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}

describe('keepSubmittedOptions', () => {
  it('takes the values of a form once the server accepts it', () => {
    const store = fakeStore(state({}));
    const stop = keepSubmittedOptions(store);
    form('<input name="userCount" value="9"><input name="maxTokens" value="10">').requestSubmit();
    store.set(state({ x: { ...accepted, status: 'pending' } }));
    expect(store.actions).toEqual([]);
    store.set(state({ x: accepted }));
    store.set(state({ x: accepted }));
    expect(store.actions).toEqual([
      { type: 'swarm/setSwarm', payload: { extraOptions: { ...options, maxTokens: { defaultValue: 10, helpText: 'output tokens' } } } },
    ]);
    stop();
    expect(store.listeners).toHaveLength(0);
  });

  it('keeps the defaults when the server refuses the form', () => {
    const store = fakeStore(state({}));
    const stop = keepSubmittedOptions(store);
    form('<input name="maxTokens" value="lots">').requestSubmit();
    store.set(state({ y: { ...accepted, data: { success: false } } }));
    expect(store.actions).toEqual([]);
    stop();
  });
});

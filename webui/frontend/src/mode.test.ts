import { describe, expect, it } from 'vitest';

import { pageMode, requestedTheme } from './mode';

describe('pageMode', () => {
  const cases = [
    { name: 'placeholder never filled', args: undefined, want: 'unfilled' },
    { name: 'null', args: null, want: 'unfilled' },
    { name: 'an array', args: [], want: 'unfilled' },
    { name: 'live page', args: { state: 'ready', is_report: false }, want: 'live' },
    { name: 'live page without the flag', args: { state: 'running' }, want: 'live' },
    { name: 'report', args: { is_report: true }, want: 'report' },
    { name: 'report flag that is not a boolean', args: { is_report: 'true' }, want: 'live' },
  ];
  it.each(cases)('$name', ({ args, want }) => {
    expect(pageMode(args)).toBe(want);
  });
});

describe('requestedTheme', () => {
  const cases = [
    { value: 'dark', want: 'dark' },
    { value: 'light', want: 'light' },
    { value: '', want: null },
    { value: undefined, want: null },
    { value: 'blue', want: null },
  ];
  it.each(cases)('$value', ({ value, want }) => {
    expect(requestedTheme(value)).toBe(want);
  });
});

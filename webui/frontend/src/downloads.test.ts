import { describe, expect, it } from 'vitest';

import { csvLinks } from './downloads';

describe('csvLinks', () => {
  const llm = { href: './stats/llm/csv', title: 'Download LLM stats CSV' };
  const cases = [
    { name: 'missing', value: undefined, want: [] },
    { name: 'not a list', value: { href: 'x', title: 'y' }, want: [] },
    { name: 'the server list', value: [llm, { href: './stats/llm/history/csv', title: 'History' }], want: [llm, { href: './stats/llm/history/csv', title: 'History' }] },
    { name: 'malformed entries dropped', value: [null, { href: '' , title: 'No link' }, { href: 'a' }, llm], want: [llm] },
    { name: 'extra keys dropped', value: [{ ...llm, extra: 1 }], want: [llm] },
  ];
  it.each(cases)('$name', ({ value, want }) => {
    expect(csvLinks(value)).toEqual(want);
  });
});

import { describe, expect, it, vi } from 'vitest';

import { LlmData, MAX_POINTS, MAX_REQUESTS, appendCapped } from './buffers';
import { point, req } from './testdata/fixtures';

describe('appendCapped', () => {
  const cases = [
    { name: 'under the limit keeps all', list: [1, 2], items: [3], max: 5, want: [1, 2, 3] },
    { name: 'exactly at the limit keeps all', list: [1, 2], items: [3, 4], max: 4, want: [1, 2, 3, 4] },
    { name: 'over the limit keeps the newest', list: [1, 2, 3], items: [4, 5], max: 3, want: [3, 4, 5] },
    { name: 'more new items than the limit', list: [1], items: [2, 3, 4, 5], max: 2, want: [4, 5] },
    { name: 'nothing new', list: [1, 2], items: [], max: 1, want: [1, 2] },
  ];
  it.each(cases)('$name', ({ list, items, max, want }) => {
    expect(appendCapped(list, items, max)).toEqual(want);
  });

  it('returns the same list when nothing is added, so React sees no change', () => {
    const list = [1, 2];
    expect(appendCapped(list, [], 10)).toBe(list);
  });
});

describe('LlmData', () => {
  it('holds at most an hour of points and 5000 requests', () => {
    const data = new LlmData();
    for (let second = 0; second < MAX_POINTS + 400; second++) {
      data.apply({ type: 'point', point: point(second) });
    }
    const requests = Array.from({ length: MAX_REQUESTS + 123 }, (_, i) => req(i, i));
    data.apply({ type: 'requests', requests: requests.slice(0, 3000) });
    data.apply({ type: 'requests', requests: requests.slice(3000) });

    const { points, requests: held } = data.getSnapshot();
    expect(points).toHaveLength(MAX_POINTS);
    expect(points[0].time).toBe(point(400).time);
    expect(points[points.length - 1].time).toBe(point(MAX_POINTS + 399).time);
    expect(held).toHaveLength(MAX_REQUESTS);
    expect(held[0]).toEqual(requests[123]);
    expect(held[held.length - 1]).toEqual(requests[requests.length - 1]);
  });

  it('caps what it starts with too', () => {
    const data = new LlmData([point(0), point(1), point(2)], [req(0, 1), req(1, 2)], { points: 2, requests: 1 });
    expect(data.getSnapshot().points.map(p => p.time)).toEqual([point(1).time, point(2).time]);
    expect(data.getSnapshot().requests).toEqual([req(1, 2)]);
  });

  it('applies each kind of message', () => {
    const data = new LlmData([point(0)], [req(0, 100)]);

    data.apply({ type: 'history', points: [point(5), point(6)], requests: [req(5000, 300)] });
    expect(data.getSnapshot().points.map(p => p.time)).toEqual([point(5).time, point(6).time]);
    expect(data.getSnapshot().requests).toEqual([req(5000, 300)]);

    data.apply({ type: 'point', point: point(7) });
    data.apply({ type: 'requests', requests: [req(7000, 310, false)] });
    expect(data.getSnapshot().points).toHaveLength(3);
    expect(data.getSnapshot().requests).toEqual([req(5000, 300), req(7000, 310, false)]);

    data.apply({ type: 'reset' });
    expect(data.getSnapshot()).toEqual({ points: [], requests: [] });
  });

  it('ignores malformed messages', () => {
    const data = new LlmData([point(0)], [req(0, 100)]);
    const before = data.getSnapshot();
    data.apply({ type: 'point', point: null } as never);
    data.apply({ type: 'requests', requests: 'nope' } as never);
    data.apply({ type: 'unknown' } as never);
    expect(data.getSnapshot()).toBe(before);

    data.apply({ type: 'history', points: null, requests: undefined } as never);
    expect(data.getSnapshot()).toEqual({ points: [], requests: [] });
  });

  it('tells subscribers about each change, with a new snapshot each time', () => {
    const data = new LlmData();
    const listener = vi.fn();
    const unsubscribe = data.subscribe(listener);
    const first = data.getSnapshot();

    data.apply({ type: 'point', point: point(1) });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(data.getSnapshot()).not.toBe(first);

    data.append([], []);
    expect(listener).toHaveBeenCalledTimes(1);

    unsubscribe();
    data.apply({ type: 'reset' });
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

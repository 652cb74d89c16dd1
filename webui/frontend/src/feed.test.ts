import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LlmData } from './buffers';
import {
  CONNECT_TIMEOUT_MS,
  LiveFeed,
  POLL_INTERVAL_MS,
  SOCKET_RETRY_MS,
  parseMessage,
  type FeedStatus,
  type SocketLike,
} from './feed';
import { point, req } from './testdata/fixtures';

// A stand-in for the browser's WebSocket: the test decides when it opens,
// what it receives and when it closes.
class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onerror: SocketLike['onerror'] = null;
  onclose: SocketLike['onclose'] = null;
  closed = false;

  constructor(readonly url: string) {}

  open() {
    this.onopen?.(new Event('open'));
  }
  receive(message: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  fail() {
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close'));
  }
  close() {
    this.closed = true;
  }
}

const URLS = { socket: 'ws://127.0.0.1:8089/ws/llm', points: 'http://127.0.0.1:8089/llm/points' };

// The server side of polling: each request gets the next queued answer.
class FakeServer {
  readonly asked: string[] = [];
  readonly answers: unknown[] = [];
  fetchJson = async (url: string) => {
    this.asked.push(url);
    const answer = this.answers.shift();
    if (answer instanceof Error || answer === undefined) {
      throw answer ?? new Error('no answer queued');
    }
    return answer;
  };
}

function setup(initial = new LlmData()) {
  const sockets: FakeSocket[] = [];
  const server = new FakeServer();
  const statuses: FeedStatus[] = [];
  const feed = new LiveFeed(
    initial,
    URLS,
    {
      openSocket: url => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      fetchJson: server.fetchJson,
    },
    status => statuses.push(status),
  );
  return { data: initial, feed, sockets, server, statuses };
}

const times = (data: LlmData) => data.getSnapshot().points.map(p => p.time);

describe('LiveFeed', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('uses the websocket when it opens, and never polls', async () => {
    const { data, feed, sockets, server, statuses } = setup(new LlmData([point(0)]));
    feed.start();
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toBe(URLS.socket);

    sockets[0].open();
    sockets[0].receive({ type: 'history', points: [point(10), point(11)], requests: [req(10_000, 200)] });
    sockets[0].receive({ type: 'point', point: point(12) });
    sockets[0].receive({ type: 'requests', requests: [req(12_000, 220, false)] });
    await vi.advanceTimersByTimeAsync(60_000);

    expect(times(data)).toEqual([point(10).time, point(11).time, point(12).time]);
    expect(data.getSnapshot().requests).toEqual([req(10_000, 200), req(12_000, 220, false)]);
    expect(server.asked).toEqual([]);
    expect(statuses).toEqual(['connecting', 'socket']);
    expect(feed.status).toBe('socket');
  });

  it('clears the data when the server says a new test started', () => {
    const { data, feed, sockets } = setup(new LlmData([point(0)], [req(0, 1)]));
    feed.start();
    sockets[0].open();
    sockets[0].receive({ type: 'reset' });
    expect(data.getSnapshot()).toEqual({ points: [], requests: [] });
  });

  it('polls every 2 s when the socket fails, first everything, then what is new', async () => {
    const { data, feed, sockets, server } = setup(new LlmData([point(0)]));
    server.answers.push(
      { seq: 7, points: [point(1), point(2)], requests: [req(1000, 150)] },
      { seq: 9, points: [point(3)], requests: [] },
      { seq: 9, points: [], requests: [] },
    );
    feed.start();
    sockets[0].fail();
    expect(feed.status).toBe('polling');

    await vi.advanceTimersByTimeAsync(0);
    expect(server.asked).toEqual([`${URLS.points}?since=0`]);
    expect(times(data)).toEqual([point(1).time, point(2).time]);

    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(server.asked[1]).toBe(`${URLS.points}?since=7`);
    expect(times(data)).toEqual([point(1).time, point(2).time, point(3).time]);

    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(server.asked[2]).toBe(`${URLS.points}?since=9`);
    expect(data.getSnapshot().requests).toEqual([req(1000, 150)]);
  });

  it('starts over when the sequence number goes backwards', async () => {
    const { data, feed, sockets, server } = setup();
    server.answers.push({ seq: 50, points: [point(1)], requests: [] }, { seq: 2, points: [point(90)], requests: [] });
    feed.start();
    sockets[0].fail();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(times(data)).toEqual([point(90).time]);
  });

  it('starts over when the server says a new test began since the last poll', async () => {
    const { data, feed, sockets, server } = setup();
    server.answers.push(
      { seq: 10, points: [point(1), point(2)], requests: [req(1000, 5)] },
      { seq: 12, points: [point(100)], requests: [], reset: true },
      { seq: 13, points: [point(101)], requests: [], reset: false },
    );
    feed.start();
    sockets[0].fail();
    await vi.advanceTimersByTimeAsync(2 * POLL_INTERVAL_MS);
    expect(times(data)).toEqual([point(100).time, point(101).time]);
    expect(data.getSnapshot().requests).toEqual([]);
  });

  it('treats a socket that neither opens nor fails within 5 s as failed', async () => {
    const { feed, sockets, server } = setup();
    server.answers.push({ seq: 1, points: [], requests: [] });
    feed.start();

    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
    expect(server.asked).toEqual([]);
    expect(feed.status).toBe('connecting');

    await vi.advanceTimersByTimeAsync(1);
    expect(sockets[0].closed).toBe(true);
    expect(feed.status).toBe('polling');
    expect(server.asked).toHaveLength(1);
  });

  it('falls back to polling when an open socket closes', async () => {
    const { feed, sockets, server } = setup();
    server.answers.push({ seq: 1, points: [], requests: [] });
    feed.start();
    sockets[0].open();
    sockets[0].fail();
    await vi.advanceTimersByTimeAsync(0);
    expect(feed.status).toBe('polling');
    expect(server.asked).toEqual([`${URLS.points}?since=0`]);
  });

  it('polls when the socket cannot even be created', async () => {
    const server = new FakeServer();
    server.answers.push({ seq: 3, points: [point(5)], requests: [] });
    const data = new LlmData();
    const feed = new LiveFeed(data, URLS, {
      openSocket: () => {
        throw new SyntaxError('bad url');
      },
      fetchJson: server.fetchJson,
    });
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(feed.status).toBe('polling');
    expect(times(data)).toEqual([point(5).time]);
  });

  it('keeps polling through failed requests', async () => {
    const { data, feed, sockets, server } = setup(new LlmData([point(0)]));
    server.answers.push(new Error('502'), { seq: 4, points: [point(4)], requests: [] });
    feed.start();
    sockets[0].fail();
    await vi.advanceTimersByTimeAsync(0);
    expect(times(data)).toEqual([point(0).time]);

    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(server.asked).toEqual([`${URLS.points}?since=0`, `${URLS.points}?since=0`]);
    expect(times(data)).toEqual([point(4).time]);
  });

  it('tries the socket again while polling, and stops polling once it opens', async () => {
    const { feed, sockets, server } = setup();
    for (let i = 0; i < 100; i++) {
      server.answers.push({ seq: i, points: [], requests: [] });
    }
    feed.start();
    sockets[0].fail();

    await vi.advanceTimersByTimeAsync(SOCKET_RETRY_MS - 1);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);

    // A retry that fails schedules the next one; polling goes on meanwhile.
    sockets[1].fail();
    await vi.advanceTimersByTimeAsync(SOCKET_RETRY_MS);
    expect(sockets).toHaveLength(3);

    sockets[2].open();
    expect(feed.status).toBe('socket');
    const polls = server.asked.length;
    await vi.advanceTimersByTimeAsync(10 * POLL_INTERVAL_MS);
    expect(server.asked).toHaveLength(polls);
  });

  it('stops everything on stop', async () => {
    const { data, feed, sockets, server } = setup();
    feed.start();
    sockets[0].open();
    feed.stop();

    expect(sockets[0].closed).toBe(true);
    expect(feed.status).toBe('stopped');
    sockets[0].receive({ type: 'point', point: point(1) });
    await vi.advanceTimersByTimeAsync(5 * SOCKET_RETRY_MS);
    expect(data.getSnapshot().points).toEqual([]);
    expect(server.asked).toEqual([]);
    expect(sockets).toHaveLength(1);
  });
});

describe('parseMessage', () => {
  const cases = [
    { name: 'a point', data: JSON.stringify({ type: 'point', point: {} }), want: 'point' },
    { name: 'a reset', data: JSON.stringify({ type: 'reset' }), want: 'reset' },
    { name: 'an unknown type', data: JSON.stringify({ type: 'hello' }), want: null },
    { name: 'not JSON', data: 'hello', want: null },
    { name: 'binary', data: new ArrayBuffer(2), want: null },
    { name: 'JSON null', data: 'null', want: null },
  ];
  it.each(cases)('$name', ({ data, want }) => {
    expect(parseMessage(data)?.type ?? null).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';

import { apiUrl, pointsUrl, socketUrl } from './urls';

describe('route addresses', () => {
  const cases = [
    { name: 'root page', location: 'http://127.0.0.1:8089/', baseUrl: undefined, api: 'http://127.0.0.1:8089/llm/points', ws: 'ws://127.0.0.1:8089/ws/llm' },
    { name: 'base path', location: 'http://127.0.0.1:8089/load/?tab=llm', baseUrl: undefined, api: 'http://127.0.0.1:8089/load/llm/points', ws: 'ws://127.0.0.1:8089/load/ws/llm' },
    { name: 'https', location: 'https://example.test/x/', baseUrl: undefined, api: 'https://example.test/x/llm/points', ws: 'wss://example.test/x/ws/llm' },
    { name: 'baseUrl without slash', location: 'http://127.0.0.1:3000/', baseUrl: 'http://127.0.0.1:8089/load', api: 'http://127.0.0.1:8089/load/llm/points', ws: 'ws://127.0.0.1:8089/load/ws/llm' },
    { name: 'relative baseUrl', location: 'http://127.0.0.1:3000/ui/', baseUrl: '/api', api: 'http://127.0.0.1:3000/api/llm/points', ws: 'ws://127.0.0.1:3000/api/ws/llm' },
  ];
  it.each(cases)('$name', ({ location, baseUrl, api, ws }) => {
    expect(apiUrl('llm/points', location, baseUrl)).toBe(api);
    expect(socketUrl('ws/llm', location, baseUrl)).toBe(ws);
  });

  it('asks for what came after a sequence number', () => {
    expect(pointsUrl('http://127.0.0.1:8089/llm/points', 42)).toBe('http://127.0.0.1:8089/llm/points?since=42');
  });
});

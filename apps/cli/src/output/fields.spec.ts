import { formatFields } from './fields';

describe('formatFields', () => {
  it('lines the values up after the longest label', () => {
    expect(formatFields([['Name', 'v1'], ['App role', 'mt_app'], ['Upstreams', '—']])).toBe(
      ['Name:       v1', 'App role:   mt_app', 'Upstreams:  —', ''].join('\n'),
    );
  });

  it('makes labels bold on a terminal without moving the values', () => {
    expect(formatFields([['Name', 'v1'], ['Status', 'active']], { color: true })).toBe(
      '\u001b[1mName:\u001b[22m    v1\n\u001b[1mStatus:\u001b[22m  active\n',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../src/web/parseRoute.js';

describe('the web app router', () => {
  it('names every screen', () => {
    expect(parseRoute('')).toEqual({ name: 'chat' });
    expect(parseRoute('#/')).toEqual({ name: 'chat' });
    expect(parseRoute('#/settings')).toEqual({ name: 'settings' });
    expect(parseRoute('#/connections/')).toEqual({ name: 'connections' });
    expect(parseRoute('#/connections/abc%20d')).toEqual({ name: 'thread', connectionId: 'abc d' });
    expect(parseRoute('#/privacy')).toEqual({ name: 'privacy' });
    expect(parseRoute('#/terms')).toEqual({ name: 'terms' });
    expect(parseRoute('#/google?ticket=x')).toEqual({ name: 'google' });
    expect(parseRoute('#/moderate')).toEqual({ name: 'moderate' });
  });

  it('never throws on a malformed percent-encoding: it is an unknown route, shown as #/ is', () => {
    for (const hash of ['#/connections/%', '#/connections/%E0%A4%A', '#/connections/%zz', '#/%', '#/settings%']) {
      expect(() => parseRoute(hash), hash).not.toThrow();
      expect(parseRoute(hash), hash).toEqual({ name: 'chat' });
    }
  });
});

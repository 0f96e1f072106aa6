import { UpstreamPicker } from './upstream-picker';

describe('UpstreamPicker', () => {
  it('rotates the first choice per pool and keeps the rest as fallbacks', () => {
    const picker = new UpstreamPicker();
    const upstreams = ['a', 'b', 'c'];
    expect(picker.order('v1', upstreams)).toEqual(['a', 'b', 'c']);
    expect(picker.order('v1', upstreams)).toEqual(['b', 'c', 'a']);
    expect(picker.order('v2', upstreams)).toEqual(['a', 'b', 'c']);
    expect(picker.order('v1', upstreams)).toEqual(['c', 'a', 'b']);
    expect(picker.order('v1', upstreams)).toEqual(['a', 'b', 'c']);
  });

  it('returns what there is for zero or one upstream', () => {
    const picker = new UpstreamPicker();
    expect(picker.order('v1', [])).toEqual([]);
    expect(picker.order('v1', ['only'])).toEqual(['only']);
  });
});

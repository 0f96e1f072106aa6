import { parseImportLines } from './import-lines';

describe('parseImportLines', () => {
  it('reads url or url,code per line, skipping blank lines', () => {
    expect(parseImportLines('https://a.example/x, spring-sale\r\n\n  https://b.example/  \n')).toEqual([
      { url: 'https://a.example/x', code: 'spring-sale' },
      { url: 'https://b.example/' },
    ]);
  });

  it('takes the last comma as the code separator, and a trailing comma as "no code"', () => {
    expect(parseImportLines('https://a.example/?q=1,2,abc\nhttps://a.example/?q=1,2,')).toEqual([
      { url: 'https://a.example/?q=1,2', code: 'abc' },
      { url: 'https://a.example/?q=1,2' },
    ]);
  });

  it('gives nothing for a blank paste (the service then refuses an empty import)', () => {
    expect(parseImportLines(' \n\r\n ')).toEqual([]);
  });
});

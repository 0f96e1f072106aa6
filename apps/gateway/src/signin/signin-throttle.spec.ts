import { accountOf } from './signin-throttle.service';

describe('accountOf', () => {
  it.each([
    ['application/json', '{"email":" Demo@Acme.test ","password":"x"}', 'demo@acme.test'],
    ['application/json; charset=utf-8', '{"email":"a@b.test"}', 'a@b.test'],
    ['application/x-www-form-urlencoded', 'email=Demo%40Acme.test&password=x', 'demo@acme.test'],
    ['application/json', '{"password":"x"}', undefined],
    ['application/json', '{"email":42}', undefined],
    ['application/json', 'not json', undefined],
    ['application/json', 'null', undefined],
    ['text/plain', 'email=a@b.test', undefined],
    [undefined, '{"email":"a@b.test"}', undefined],
  ])('reads %s %j as %j', (type, body, email) => {
    expect(accountOf(Buffer.from(body), type)).toBe(email);
  });
});

import { listenForNotifications } from './notifications';

// The channel is written into LISTEN as it is (LISTEN takes no parameters): only a plain name gets there.
describe('listenForNotifications', () => {
  it.each(['routing; DROP TABLE platform.tenants', 'Routing', 'a-b', '"quoted"', ''])('refuses the channel %p before connecting', (channel) => {
    const handlers = { onNotification: () => undefined, onListening: () => undefined, onLost: () => undefined };
    expect(() => listenForNotifications({ url: 'postgres://127.0.0.1:1/none', channel, applicationName: 'test', ...handlers })).toThrow(
      'a notification channel is a plain lower-case name',
    );
  });
});

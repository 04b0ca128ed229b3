import { expect } from 'chai';
import { WampClient } from '../../src/index.js';

// Issue #20: a URL no WebSocket can open is refused when the client is made, with a message
// that says what is wanted, instead of failing every connection attempt later as a retryable
// connect-failed.
describe('client: options.url', () => {
  const make = (url: unknown) => () => new WampClient({ url: url as string, realm: 'realm1' });

  it('refuses a URL without a scheme at construction, saying which schemes it takes and what it got', () => {
    expect(make('127.0.0.1:8080')).to.throw(
      TypeError,
      'options.url must be a ws://, wss://, http:// or https:// URL (rs:// with rxwamp/rawsocket), got "127.0.0.1:8080"',
    );
  });

  it('refuses other schemes, relative paths, empty strings and non-strings the same way', () => {
    const wanted = /^options\.url must be a ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL \(rs:\/\/ with rxwamp\/rawsocket\), got /;
    for (const url of ['localhost:8080/ws', 'ftp://example.com/ws', '/ws', 'ws:/127.0.0.1/ws', 'ws://', '']) {
      expect(make(url), url).to.throw(TypeError, wanted);
    }
    expect(make(undefined)).to.throw(TypeError, /got undefined$/);
    expect(make(8080)).to.throw(TypeError, /got number$/);
  });

  it('takes ws://, wss://, http:// and https:// URLs (any case) without connecting', async () => {
    for (const url of ['ws://127.0.0.1:1/ws', 'wss://example.test/ws', 'http://127.0.0.1:1/ws', 'https://example.test/ws', 'WS://EXAMPLE.TEST/WS']) {
      const client = make(url)();
      expect(client.state.status, url).to.equal('idle');
      await client.close();
    }
  });
});

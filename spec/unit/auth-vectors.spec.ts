import { expect } from 'chai';
import { cryptosign, wampcra } from '../../src/auth.js';
import { importSeed, signCryptosign } from '../../src/auth/ed25519.js';
import { deriveKey, signChallenge } from '../../src/auth/wampcra.js';
import { fromHex } from '../../src/auth/webcrypto.js';

/** The test vectors of digest §9.3 (WAMP-CRA) and §9.4 (cryptosign), through WebCrypto. */
describe('unit: authentication test vectors', () => {
  const challenge =
    '{"authid":"peter","authrole":"user","authmethod":"wampcra","authprovider":"userdb","nonce":"LHRTC9zeOIrt_9U3","timestamp":"2014-06-22T16:36:25.448Z","session":3251278072152162}';

  it('WAMP-CRA: salted key derivation PBKDF2-HMAC-SHA256("secret1", "salt123", 100, 16)', async () => {
    expect(await deriveKey('secret1', 'salt123', 100, 16)).to.equal('prq7+YkJ1/KlW1X0YczMHw==');
  });

  it('WAMP-CRA: the signature of the spec challenge, unsalted and salted', async () => {
    expect(await signChallenge('secret1', challenge)).to.equal('P3St0OqNrU47A+8MjwhscD+fVHr9ZaKucxn84RPTPOU=');
    expect(await signChallenge('prq7+YkJ1/KlW1X0YczMHw==', challenge)).to.equal('VKbx5bubWl2msf2z0L0ryWyy9b6GvM02WgX9+9oOocM=');
  });

  it('WAMP-CRA: the authenticator derives the salted key from the CHALLENGE extra', async () => {
    const auth = wampcra({ authid: 'peter', secret: 'secret1' });
    expect(await auth.answer({ challenge })).to.deep.equal({ signature: 'P3St0OqNrU47A+8MjwhscD+fVHr9ZaKucxn84RPTPOU=' });
    expect(await auth.answer({ challenge, salt: 'salt123', iterations: 100, keylen: 16 })).to.deep.equal({
      signature: 'VKbx5bubWl2msf2z0L0ryWyy9b6GvM02WgX9+9oOocM=',
    });
  });

  it('cryptosign: the signature of the spec challenge (no channel binding), and the public key in HELLO', async () => {
    const seed = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
    const { privateKey, publicKeyHex } = await importSeed(seed);
    const expected =
      'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0c' + 'ae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03' + 'ff'.repeat(32);
    expect(await signCryptosign(privateKey, fromHex('ff'.repeat(32), 'challenge'))).to.equal(expected);
    const auth = cryptosign({ authid: 'alice', privateKey: seed });
    expect(await auth.hello()).to.deep.equal({ authid: 'alice', authrole: undefined, authextra: { pubkey: publicKeyHex } });
    expect(await auth.answer({ challenge: 'ff'.repeat(32), channel_binding: null })).to.deep.equal({ signature: expected });
  });

  it('cryptosign refuses a challenge that asks for channel binding, and a seed of the wrong length', async () => {
    const auth = cryptosign({ privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510' });
    const bound = await Promise.resolve(auth.answer({ challenge: 'ff'.repeat(32), channel_binding: 'tls-unique' })).catch((e: Error) => e);
    expect((bound as Error).message).to.match(/channel binding "tls-unique"/);
    const short = await Promise.resolve(cryptosign({ privateKey: 'abcd' }).hello()).catch((e: Error) => e);
    expect(short).to.be.instanceOf(TypeError);
  });
});

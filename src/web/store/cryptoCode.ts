/**
 * Everything that needs the cryptographic libraries, in one chunk that
 * cryptoLoader.ts fetches on demand. Nothing outside the loader imports this
 * file (only its types).
 */
export { identityPrivateKey, forgetIdentity, rewrapIdentity, setUpIdentity, unlockIdentity } from './identity.js';
export {
  acceptPartnerKey,
  beginChatKeys,
  endChatKeys,
  openIncoming,
  openRevealed,
  ownChatKey,
  restoreChatKeys,
  sealOutgoing,
  sealProfile,
} from './chatCrypto.js';

/**
 * Symmetric encryption of datagrams and frames (AES-256-GCM), with a ring of keys for rotation
 * without downtime: seal with the primary (first) key, open with any key. docs/security.md
 * describes the format and the rotation procedure.
 *
 * Sealed format:
 *   [1 byte format version = 1][12-byte random nonce][ciphertext, same length as plaintext][16-byte GCM tag]
 * The version byte is also the GCM additional data, so it cannot be changed without failing the tag.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, randomFillSync, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../lib/result.js';

/** AES-256 key length, in bytes. */
export const keyBytes = 32;
/** GCM nonce length, in bytes: the 96 bits GCM is designed for. */
export const nonceBytes = 12;
/** GCM authentication tag length, in bytes: the full 128 bits (never truncated). */
export const tagBytes = 16;
/** The only sealed format so far. A plaintext ringkv envelope starts with 'R' (0x52), never 1. */
export const sealFormatVersion = 1;
/** Bytes `seal` adds to a plaintext: version + nonce + tag = 29. */
export const sealOverheadBytes = 1 + nonceBytes + tagBytes;
/** Most keys in one ring: rotation needs two; a few more allow overlapping rotations. */
export const keyringKeysMax = 16;

const cipherName = 'aes-256-gcm';
const versionAad = Uint8Array.of(sealFormatVersion);

export interface KeyringError {
  readonly code: 'TRANSPORT_ERR_BAD_KEY';
  readonly message: string;
}

/** Canonical standard base64 of 32 bytes: 43 characters and one '=' of padding. */
const base64KeyPattern = /^[A-Za-z0-9+/]{43}=$/;

export class Keyring {
  private constructor(private readonly keys: readonly KeyObject[]) {}

  /**
   * Builds a ring from base64 keys, primary first. Each key must be canonical base64 of exactly
   * 32 bytes. Error messages name the key by position, never by content, so they can be logged.
   */
  static fromBase64(keys: readonly string[]): Result<Keyring, KeyringError> {
    if (keys.length === 0) return err({ code: 'TRANSPORT_ERR_BAD_KEY', message: 'keyring is empty: give at least one key' });
    if (keys.length > keyringKeysMax) return err({ code: 'TRANSPORT_ERR_BAD_KEY', message: `keyring has ${keys.length} keys, at most ${keyringKeysMax} allowed` });
    const objects: KeyObject[] = [];
    for (const [i, text] of keys.entries()) {
      const trimmed = text.trim();
      const bytes = Buffer.from(trimmed, 'base64');
      // Buffer.from ignores characters outside the alphabet, so check the text itself too.
      if (bytes.length !== keyBytes || !base64KeyPattern.test(trimmed)) {
        bytes.fill(0);
        return err({ code: 'TRANSPORT_ERR_BAD_KEY', message: `key ${i + 1} of ${keys.length} is not base64 of exactly ${keyBytes} bytes (it decodes to ${bytes.length} bytes); generate one with \`ringkv keygen\`` });
      }
      objects.push(createSecretKey(bytes));
      bytes.fill(0);
    }
    return ok(new Keyring(objects));
  }

  /** Number of keys in the ring. */
  get size(): number {
    return this.keys.length;
  }

  /** Encrypts and authenticates `plaintext` with the primary key and a fresh random nonce. */
  seal(plaintext: Uint8Array): Uint8Array {
    const out = Buffer.allocUnsafe(sealOverheadBytes + plaintext.length);
    out[0] = sealFormatVersion;
    const nonce = out.subarray(1, 1 + nonceBytes);
    randomFillSync(nonce);
    const cipher = createCipheriv(cipherName, this.keys[0]!, nonce, { authTagLength: tagBytes });
    cipher.setAAD(versionAad);
    const body = cipher.update(plaintext);
    body.copy(out, 1 + nonceBytes);
    // GCM is a stream mode: update() returns every byte and final() returns none.
    cipher.final();
    cipher.getAuthTag().copy(out, out.length - tagBytes);
    return out;
  }

  /**
   * Decrypts `sealed` with the first key whose tag verifies (primary first, the common case).
   * Undefined for anything that does not open: too short, unknown version, tampered, or sealed
   * with a key not in the ring (including unsealed plaintext).
   */
  open(sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < sealOverheadBytes || sealed[0] !== sealFormatVersion) return undefined;
    const nonce = sealed.subarray(1, 1 + nonceBytes);
    const body = sealed.subarray(1 + nonceBytes, sealed.length - tagBytes);
    const tag = sealed.subarray(sealed.length - tagBytes);
    for (const key of this.keys) {
      const decipher = createDecipheriv(cipherName, key, nonce, { authTagLength: tagBytes });
      decipher.setAAD(versionAad);
      decipher.setAuthTag(tag);
      const plain = decipher.update(body);
      try {
        decipher.final();
        return plain;
      } catch {
        // Wrong key or tampered: try the next key. Wipe what the failed attempt decrypted.
        plain.fill(0);
      }
    }
    return undefined;
  }
}

/** A fresh random key, base64 (what `Keyring.fromBase64` takes): for a `ringkv keygen` command. */
export function generateKey(): string {
  const bytes = randomBytes(keyBytes);
  const text = bytes.toString('base64');
  bytes.fill(0);
  return text;
}

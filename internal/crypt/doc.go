// Package crypt encrypts personal fields at rest and computes blind indexes
// over them, so that a Corridor database holds no readable name, document
// number or case note, yet rows can still be found by exact value.
//
// It is pure Go with no SQL and no HTTP: the store calls it on the way in and
// out of the database, the CLI calls it to generate and rotate keys.
//
// # Threat model
//
// Protected: the database files (SQLite file, PostgreSQL data directory),
// their backups and dumps (pg_dump, copies of the SQLite file), replicas and
// anyone who can read them but not the key file. Such a reader sees
// ciphertext, the key id of each value, its length (AES-GCM hides content,
// not size) and the blind indexes — which reveal which rows share a value of
// the same field (that is their purpose) but not the value itself, unless
// the reader can guess candidate values AND holds the index key.
//
// Also protected: moving a ciphertext to another row or column. Every value
// is bound by its additional authenticated data (see [AAD]) to the table,
// column and row it was written for, so copying victim A's name into
// person B's row makes decryption fail instead of showing the wrong name.
//
// Not protected: a compromised running server or host. The server holds the
// keys in memory (Go cannot reliably wipe them) and decrypts on request; an
// attacker with its privileges, a memory dump, or the key file reads
// everything. Access control and the audit trail are the defences there.
// Keep the key file off the database host's backups, mode 0600, owned by the
// service account.
//
// # Key file
//
// A key file is JSON (written by [GenerateKeyFile], [Keyring.Rotate] and
// [Keyring.Retire]; read by [ParseKeyring], [LoadKeyring] and [FromEnv]):
//
//	{
//	  "version": 1,
//	  "active": "k20261127b",
//	  "keys": {
//	    "k20261127a": "<base64 of 32 random bytes>",
//	    "k20261127b": "<base64 of 32 random bytes>"
//	  },
//	  "index": "<base64 of 32 random bytes>"
//	}
//
// The fields:
//
//   - version: always 1.
//   - keys: the AES-256 data keys by key id. A key id is 1 to 32 characters
//     from A-Z, a-z, 0-9, "-" and "_"; generated ids are "k" + UTC date + a
//     letter.
//   - active: the id new values are encrypted under. The other keys stay so
//     that values written under them remain readable until re-encrypted.
//   - index: the HMAC-SHA256 key of the blind indexes. Rotation never changes
//     it: a blind index is looked up by recomputing it, so a new index key
//     would mean recomputing every index in one go.
//
// Keys are standard base64 (padding optional; the URL alphabet is accepted
// too). [LoadKeyring] refuses a file that its group or others may read
// (mode & 0o077 != 0) unless [AllowInsecurePermissions] is given.
//
// CORRIDOR_KEY (see [FromEnv]) holds either the same JSON or one base64
// 256-bit key from which a data key and a separate index key are derived.
//
// # Envelope
//
// [Keyring.Encrypt] returns a self-describing binary envelope:
//
//	offset     size  field
//	0          1     format version, 0x01
//	1          1     n = length of the key id, 1..32
//	2          n     key id, ASCII [A-Za-z0-9_-]
//	2+n        12    nonce, random per value
//	14+n       len   AES-256-GCM ciphertext, same length as the plaintext
//	14+n+len   16    GCM authentication tag
//
// The GCM additional data is the header (bytes 0 to 2+n, so version and key
// id are authenticated too) followed by the caller's AAD. The overhead is
// 30 bytes plus the key id: 40 bytes for a 10-character id.
//
// [Keyring.EncryptString] encodes the envelope for TEXT columns as
// "enc1:" + base64url without padding (RFC 4648 §5).
//
// Random 96-bit nonces are safe for up to 2^32 values per key (NIST SP
// 800-38D); rotate well before that (a key per year, or per hundred million
// writes, is far inside the bound).
//
// # NULL and empty values
//
// Encrypting the empty string gives a full envelope (about 40 bytes), and
// decrypting it gives an empty, non-nil []byte — so an empty value stays
// distinguishable from an absent one. Absent values are not encrypted at
// all: the caller stores SQL NULL (and a NULL blind index) for them.
//
// # Blind index
//
// [Keyring.BlindIndex] is HMAC-SHA256 under the index key over the field
// name (length-prefixed, for domain separation: equal names in two fields
// give unrelated indexes) and the value normalised by [NormalizeForIndex]
// ([Keyring.BlindIndexNumber] uses [NormalizeNumber] instead). It is
// truncated to 16 bytes and written as 32 lowercase hex characters.
//
// The truncation trade-off: 128 bits keep accidental collisions out of reach
// (about 2^64 values before one becomes likely), so a lookup by index needs
// no decrypt-and-compare, while the index column is half the size of a full
// HMAC; truncation does not help anyone recover a value. The price is that an
// index links exactly the rows holding the same value — what a duplicate
// check needs, and also what someone reading a dump learns (how many rows
// share a name, not which name). A much shorter index (say 2 to 4 bytes)
// would blur that with deliberate false matches, at the cost of decrypting
// every candidate on lookup; Corridor does not do that. Anyone holding the
// index key can confirm a guessed value, so the index key is as secret as
// the data keys.
//
// # Rotation without downtime
//
//  1. [Keyring.Rotate] returns the new key file content: write it with
//     [WriteKeyFile]. A server using [WatchFile] picks it up and encrypts
//     new values under the new key; old values stay readable.
//  2. Re-encrypt old rows in batches with [Keyring.Reencrypt] (or
//     [Keyring.ReencryptString]); [KeyID] finds the rows still under an old
//     key. Blind indexes do not change.
//  3. When no row uses the old key any more, [Keyring.Retire] it.
//
// A *Keyring never changes after it is built, so it is safe for concurrent
// use; Rotate and Retire return new file content instead of modifying it.
package crypt

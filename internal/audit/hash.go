package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// GenesisHash is the PrevHash of entry 1: 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// EncodingVersion is the first field of the canonical encoding. A change to
// the encoding (a new field, another order) needs a new version, and the
// verifier must then know which version each stored entry was written with.
const EncodingVersion = "corridor-audit-v1"

// timeLayout is RFC 3339 in UTC with exactly six fractional digits.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// ComputeHash returns the hash of entry e chained after an entry whose hash
// is prev: the lower-case hex SHA-256 of Canonical(prev, e). It reads every
// field of e except PrevHash (prev stands for it) and Hash.
func ComputeHash(prev string, e Entry) string {
	h := hexHash(prev, &e)
	return string(h[:])
}

// hexHash is ComputeHash into an array, so that the verifier can compare
// without allocating.
func hexHash(prev string, e *Entry) [64]byte {
	var buf [512]byte // most entries fit: no allocation for the encoding
	sum := sha256.Sum256(appendCanonical(buf[:0], prev, e))
	var out [64]byte
	hex.Encode(out[:], sum[:])
	return out
}

// Chain returns e linked after an entry whose hash is prev: PrevHash set to
// prev and Hash to ComputeHash(prev, e). e.Seq must already be set; see
// Head.Next, which also assigns it.
func Chain(prev string, e Entry) Entry {
	e.PrevHash = prev
	e.Hash = ComputeHash(prev, e)
	return e
}

// Canonical returns the bytes ComputeHash hashes for entry e chained after
// prev. It is a sequence of 13 netstrings (D. J. Bernstein's format:
// the byte length in decimal ASCII, ':', the bytes, ','), in this fixed
// order:
//
//  1. EncodingVersion, "corridor-audit-v1"
//  2. prev, the previous entry's hash (GenesisHash for entry 1)
//  3. Seq, in decimal
//  4. Time, in UTC as RFC 3339 with exactly six fractional digits,
//     "2006-01-02T15:04:05.000000Z"
//  5. ActorID, in decimal
//  6. ActorName
//  7. OrgID, in decimal
//  8. Action
//  9. Resource
//  10. RecordID
//  11. Outcome
//  12. ClientAddr
//  13. Detail
//
// Integers are written by strconv.FormatInt (no leading zeros or '+'; '-'
// for negatives). Strings are their bytes as stored, with no normalisation
// (Validate ensures they are UTF-8 text without control characters, which
// both SQLite and PostgreSQL keep byte for byte). Because every field
// carries its length, no two different field lists encode to the same
// bytes: ("ab", "c") gives "2:ab,1:c," and ("a", "bc") gives "1:a,2:bc,".
//
// For example, entry 1 at 2026-03-01 09:30:00.000001 UTC by user 7 ("amina",
// organisation 3) reading case "C-17" from 203.0.113.7, allowed, no detail,
// encodes as (one line here, no newline in the bytes):
//
//	17:corridor-audit-v1,64:0000…0000,1:1,27:2026-03-01T09:30:00.000001Z,1:7,5:amina,1:3,4:read,5:cases,4:C-17,7:allowed,11:203.0.113.7,0:,
//
// The encoding depends on nothing that varies between Go versions, engines
// or machines, so an entry verifies wherever it is read back, and it can be
// recomputed by other tools (a few lines of Python or SQL).
func Canonical(prev string, e Entry) []byte {
	return appendCanonical(make([]byte, 0, 256), prev, &e)
}

func appendCanonical(b []byte, prev string, e *Entry) []byte {
	b = appendField(b, EncodingVersion)
	b = appendField(b, prev)
	b = appendInt(b, e.Seq)
	b = appendTime(b, e.Time)
	b = appendInt(b, e.ActorID)
	b = appendField(b, e.ActorName)
	b = appendInt(b, e.OrgID)
	b = appendField(b, e.Action)
	b = appendField(b, e.Resource)
	b = appendField(b, e.RecordID)
	b = appendField(b, e.Outcome)
	b = appendField(b, e.ClientAddr)
	b = appendField(b, e.Detail)
	return b
}

// appendField appends s as a netstring.
func appendField[S string | []byte](b []byte, s S) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}

func appendInt(b []byte, n int64) []byte {
	var tmp [20]byte // "-9223372036854775808" is 20 bytes
	return appendField(b, strconv.AppendInt(tmp[:0], n, 10))
}

func appendTime(b []byte, t time.Time) []byte {
	var tmp [32]byte
	return appendField(b, t.UTC().AppendFormat(tmp[:0], timeLayout))
}

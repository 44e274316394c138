package mailproc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The case history is tamper-evident: every case event and every stored
// message carries a hash chained to the row before it in its table,
//
//	hash = SHA-256(previous hash ‖ the row's fixed fields ‖ digest)
//
// where digest = SHA-256(the row's redactable content: addresses, names,
// subjects, text). The chain hashes the digest, not the content, so
// personal data can later be redacted (the row gets redacted_at and keeps
// its digest) without breaking the chain; an unredacted row is checked
// against its content too. Changing, inserting or deleting a row breaks the
// link of that row or the next one; `mailproc verify` walks both chains.
// Every report prints the chain heads it was computed from, so a printed
// report also pins the rows that existed when it was made.

// ChainGenesis is the "previous hash" of the first row of a chain.
const ChainGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ChainDigest is the SHA-256 (hex) of values in their canonical encoding
// (ChainEncode).
func ChainDigest(values ...any) string {
	return chainSum(false, "", values, "")
}

// ChainLink is the hash of a row: SHA-256 over the previous row's hash, the
// row's fixed fields and the digest of its content.
func ChainLink(prev string, fields []any, digest string) string {
	return chainSum(true, prev, fields, digest)
}

// chainSum is ChainDigest of values, with prev before them and digest
// after them for a link, without making the slice of them, and with the encodings
// appended to one buffer: every event and message a desk stores is hashed
// twice, and each value's encoding went to a fresh []byte.
func chainSum(link bool, prev string, values []any, digest string) string {
	var stack [512]byte
	b := stack[:0]
	if link {
		b = appendChainValue(b, prev)
	}
	for _, v := range values {
		b = appendChainValue(b, v)
	}
	if link {
		b = appendChainValue(b, digest)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ChainEncode is one value as it enters a hash: a type letter, the length
// and the bytes, so no two different sequences of values encode alike.
// Integers and text are what SQLite returns; NULL is nil.
func ChainEncode(v any) []byte {
	return appendChainValue(nil, v)
}

// appendChainValue appends ChainEncode(v) to b.
func appendChainValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "n;"...)
	case int64:
		var digits [20]byte
		s := strconv.AppendInt(digits[:0], x, 10)
		return append(appendChainHeader(b, 'i', len(s)), s...)
	case int:
		return appendChainValue(b, int64(x))
	case bool:
		if x {
			return appendChainValue(b, int64(1))
		}
		return appendChainValue(b, int64(0))
	case string:
		return append(appendChainHeader(b, 's', len(x)), x...)
	case []byte:
		return append(appendChainHeader(b, 's', len(x)), x...)
	case float64:
		return appendChainValue(b, strconv.FormatFloat(x, 'g', -1, 64))
	default:
		return appendChainValue(b, fmt.Sprint(x))
	}
}

// appendChainHeader appends a value's type letter and length: "s12:".
func appendChainHeader(b []byte, kind byte, n int) []byte {
	return append(strconv.AppendInt(append(b, kind), int64(n), 10), ':')
}

// ChainHead is the last link of both chains at a moment.
type ChainHead struct {
	EventID     int64  // row id of the last event; 0 if none
	EventHash   string // its hash; ChainGenesis if none
	MessageID   int64  // row id of the last stored message; 0 if none
	MessageHash string // its hash; ChainGenesis if none
}

// String is how reports print the head: the row ids and the first 16 hex
// digits of each hash, enough to find and match the rows later.
func (h ChainHead) String() string {
	return fmt.Sprintf("peristiwa #%d %s, pesan #%d %s", h.EventID, short(h.EventHash), h.MessageID, short(h.MessageHash))
}

func short(hash string) string {
	if len(hash) > 16 {
		return hash[:16]
	}
	return hash
}

// ParseChainHead reads a head as String prints it (hashes may be given
// whole or by any prefix of at least 8 hex digits), so a printed report's
// head can be checked against the database.
func ParseChainHead(s string) (ChainHead, error) {
	var h ChainHead
	n, err := fmt.Sscanf(strings.TrimSpace(s), "peristiwa #%d %s pesan #%d %s", &h.EventID, &h.EventHash, &h.MessageID, &h.MessageHash)
	h.EventHash = strings.TrimSuffix(h.EventHash, ",")
	if err != nil || n != 4 || !hexPrefix(h.EventHash) || !hexPrefix(h.MessageHash) {
		return ChainHead{}, fmt.Errorf("kepala rantai %q: want \"peristiwa #N HEX, pesan #M HEX\" as a report prints it", s)
	}
	return h, nil
}

func hexPrefix(s string) bool {
	return len(s) >= 8 && len(s) <= 64 && strings.Trim(s, "0123456789abcdef") == ""
}

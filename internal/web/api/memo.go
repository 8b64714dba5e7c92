package api

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// Memo keeps whole 200 answers of validated routes in memory, keyed by
// their ETag. The ETag already names everything the answer depends on —
// the data token (which changes with every import and indicator), the
// program's version, the URL and the representation key — so an answer
// found under it is the answer the handler would write again. Entries of
// an older data token are dropped when a new token is first seen, and the
// total size is bounded.
type Memo struct {
	mu       sync.Mutex
	token    string
	entries  map[string]*memoEntry
	size     int64
	maxSize  int64 // all entries, bytes
	maxEntry int   // one answer, bytes
}

type memoEntry struct {
	header http.Header // the answer's own headers (memoHeaders)
	body   []byte
	length []string // Content-Length, formatted once
}

// memoHeaders are the headers of an answer a memo replays; all others
// (security headers, request ids, cookies) are set per request by the
// layers around the handler, or make the answer unfit to keep.
var memoHeaders = []string{"Content-Type", "Content-Disposition", "Content-Language", "Cache-Control", "Vary", "ETag"}

// The bounds of the memos of the API and the pages: answers of the data
// and map APIs are a few kilobytes to a megabyte; pages some 20 to 200 KB.
const (
	MemoSize  = 64 << 20
	MemoEntry = 4 << 20
)

// NewMemo returns a memo holding at most maxSize bytes of answers, none
// larger than maxEntry.
func NewMemo(maxSize int64, maxEntry int) *Memo {
	return &Memo{entries: map[string]*memoEntry{}, maxSize: maxSize, maxEntry: maxEntry}
}

// get returns the answer kept under etag for token.
func (m *Memo) get(token, etag string) (*memoEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token != token {
		return nil, false
	}
	e, ok := m.entries[etag]
	return e, ok
}

// put keeps an answer. A new token drops everything kept for the old one.
func (m *Memo) put(token, etag string, e *memoEntry) {
	n := int64(len(e.body)) + 512
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token != token {
		m.token, m.entries, m.size = token, map[string]*memoEntry{}, 0
	}
	if _, ok := m.entries[etag]; ok {
		return
	}
	// Over the bound, drop entries in map order (random): cheap, and
	// a hot answer is soon kept again.
	for k, old := range m.entries {
		if m.size+n <= m.maxSize {
			break
		}
		m.size -= int64(len(old.body)) + 512
		delete(m.entries, k)
	}
	if m.size+n > m.maxSize {
		return
	}
	m.entries[etag] = e
	m.size += n
}

// Len is the number of answers kept.
func (m *Memo) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// replay writes a kept answer.
func (e *memoEntry) replay(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range e.header {
		h[k] = v
	}
	h["Content-Length"] = e.length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(e.body)
	}
}

// recorder copies a 200 answer while it is written, up to a size.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	max    int
	over   bool
	header http.Header
}

func (rw *recorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
		if status == http.StatusOK && rw.Header().Get("Set-Cookie") == "" {
			rw.header = http.Header{}
			for _, k := range memoHeaders {
				if v := rw.Header().Values(k); len(v) > 0 {
					rw.header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
				}
			}
		}
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.header != nil && !rw.over {
		if rw.buf.Len()+len(b) > rw.max {
			rw.over = true
			rw.buf = bytes.Buffer{}
		} else {
			rw.buf.Write(b)
		}
	}
	return rw.ResponseWriter.Write(b)
}

func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// entry is what the recorder saw, if it is an answer to keep.
func (rw *recorder) entry() (*memoEntry, bool) {
	if rw.status != http.StatusOK || rw.header == nil || rw.over {
		return nil, false
	}
	return &memoEntry{header: rw.header, body: bytes.Clone(rw.buf.Bytes()), length: []string{strconv.Itoa(rw.buf.Len())}}, true
}

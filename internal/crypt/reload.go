package crypt

import (
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Reloader serves the keyring of a key file and re-reads the file when it
// changes, so a running server picks up a rotated key without a restart.
// It implements [Source]. Create it with [WatchFile]; stop it with Close.
//
// A change is a different size, modification time, mode or file (inode: an
// atomic rename by [WriteKeyFile] always counts). A changed file that does
// not load — bad content, insecure mode, or a different blind index key —
// is refused: the previous keyring stays in use and Err reports why until a
// later change loads.
type Reloader struct {
	path string
	cfg  loadConfig

	cur atomic.Pointer[Keyring]

	mu      sync.Mutex // serialises reloads; guards the fields below
	stamp   fs.FileInfo
	statErr error  // the file could not be stat'ed at the last check
	loadErr error  // the file as of stamp could not be loaded
	lastMsg string // of the last error reported to OnReload

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// WatchFile loads the key file at path (as [LoadKeyring] does, and failing
// as it does) and returns a Reloader serving it. With interval > 0 a
// goroutine checks the file every interval until Close; with interval <= 0
// the file is checked only when Reload is called (e.g. on SIGHUP).
func WatchFile(path string, interval time.Duration, opts ...LoadOption) (*Reloader, error) {
	cfg := newLoadConfig(opts)
	k, fi, err := loadFile(path, cfg)
	if err != nil {
		return nil, err
	}
	r := &Reloader{path: path, cfg: cfg, stamp: fi, stop: make(chan struct{}), done: make(chan struct{})}
	r.cur.Store(k)
	if interval > 0 {
		go r.loop(interval)
	} else {
		close(r.done)
	}
	return r, nil
}

func (r *Reloader) loop(interval time.Duration) {
	defer close(r.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.Reload()
		}
	}
}

// Current returns the latest keyring successfully loaded. It never blocks on
// a reload and never returns nil.
func (r *Reloader) Current() *Keyring { return r.cur.Load() }

// Err returns why the last change of the file could not be loaded, or nil if
// the current keyring reflects the file.
func (r *Reloader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errLocked()
}

func (r *Reloader) errLocked() error {
	if r.statErr != nil {
		return r.statErr
	}
	return r.loadErr
}

// Reload checks the file now and loads it if it changed. It reports whether
// a new keyring is now in use, and the error if the file changed but could
// not be loaded (the previous keyring stays in use).
func (r *Reloader) Reload() (changed bool, err error) {
	r.mu.Lock()
	k, err := r.reloadLocked()
	var notify bool
	if err != nil {
		msg := err.Error()
		notify = msg != r.lastMsg
		r.lastMsg = msg
	} else if k != nil {
		notify = true
		r.lastMsg = ""
	}
	r.mu.Unlock()
	if notify && r.cfg.onReload != nil {
		r.cfg.onReload(k, err)
	}
	return k != nil, err
}

// reloadLocked returns the new keyring, or nil, nil if the file is unchanged.
func (r *Reloader) reloadLocked() (*Keyring, error) {
	fi, err := os.Stat(r.path)
	r.statErr = err
	if err != nil {
		return nil, err
	}
	if sameFile(r.stamp, fi) {
		return nil, r.loadErr // unchanged: a bad file stays bad
	}
	k, fi, err := loadFile(r.path, r.cfg)
	if fi != nil {
		r.stamp = fi
	}
	if err == nil && !k.sameIndexKey(r.cur.Load()) {
		err = derrors.Kindf(derrors.Invalid,
			"key file %s: the blind index key changed (fingerprint %s, was %s); every blind index would stop matching, so the new file is not used — restore the index key, or restart after recomputing the indexes",
			r.path, k.IndexFingerprint(), r.cur.Load().IndexFingerprint())
		k = nil
	}
	if err != nil && fi == nil {
		// Open or fstat failed after a successful stat: not a verdict on
		// the file's content, so do not remember it as one.
		r.statErr = err
		return nil, err
	}
	r.loadErr = err
	if err != nil {
		return nil, err
	}
	r.cur.Store(k)
	return k, nil
}

// sameFile reports whether a and b describe the same, unchanged file.
func sameFile(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && a.Mode() == b.Mode()
}

// Close stops the polling goroutine and waits for it to end. Current keeps
// returning the last keyring. Close is idempotent and always returns nil.
func (r *Reloader) Close() error {
	r.closeOnce.Do(func() { close(r.stop) })
	<-r.done
	return nil
}

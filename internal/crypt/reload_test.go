package crypt_test

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/crypt"
)

// waitFor polls cond until it holds or 5 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReloaderPicksUpRotation(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	path := writeKeyFile(t, content)
	var reloads atomic.Int32
	r, err := crypt.WatchFile(path, 10*time.Millisecond, crypt.OnReload(func(k *crypt.Keyring, err error) {
		if err != nil {
			t.Errorf("OnReload error: %v", err)
			return
		}
		reloads.Add(1)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var src crypt.Source = r // the store takes a Source

	k1 := src.Current()
	old, err := k1.EncryptString("Amina Diallo", nil)
	if err != nil {
		t.Fatal(err)
	}
	idx := k1.BlindIndex("persons.name", "Amina Diallo")

	rotated, newID, err := k1.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if err := crypt.WriteKeyFile(path, rotated); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rotated key", func() bool { return src.Current().ActiveKeyID() == newID })

	k2 := src.Current()
	if pt, err := k2.DecryptString(old, nil); err != nil || pt != "Amina Diallo" {
		t.Fatalf("old value after reload: %q, %v", pt, err)
	}
	fresh, _ := k2.EncryptString("x", nil)
	if id, _ := crypt.KeyIDString(fresh); id != newID {
		t.Errorf("new value under %q, want %q", id, newID)
	}
	if k2.BlindIndex("persons.name", "Amina Diallo") != idx {
		t.Error("blind index changed with the reload")
	}
	if r.Err() != nil {
		t.Errorf("Err = %v", r.Err())
	}
	// Unchanged file: no further reloads.
	time.Sleep(50 * time.Millisecond)
	if n := reloads.Load(); n != 1 {
		t.Errorf("OnReload called %d times for one change", n)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if r.Current() != k2 {
		t.Error("Current changed after Close")
	}
}

func TestReloaderManual(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	path := writeKeyFile(t, content)
	r, err := crypt.WatchFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	k1 := r.Current()
	if changed, err := r.Reload(); changed || err != nil {
		t.Fatalf("Reload of an unchanged file = %v, %v", changed, err)
	}

	// Rewritten in place (same inode), not renamed.
	rotated, newID, err := k1.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, rotated, 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Reload(); !changed || err != nil {
		t.Fatalf("Reload after rewrite = %v, %v", changed, err)
	}
	if r.Current().ActiveKeyID() != newID {
		t.Fatalf("active = %q, want %q", r.Current().ActiveKeyID(), newID)
	}
}

func TestReloaderKeepsKeysOnBadFile(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	path := writeKeyFile(t, content)
	var calls []error
	var mu sync.Mutex
	r, err := crypt.WatchFile(path, 0, crypt.OnReload(func(k *crypt.Keyring, err error) {
		mu.Lock()
		defer mu.Unlock()
		if (k == nil) == (err == nil) {
			t.Errorf("OnReload(%v, %v): want exactly one of them", k, err)
		}
		calls = append(calls, err)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	k1 := r.Current()

	// A half-written file.
	if err := os.WriteFile(path, content[:len(content)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	changed, err := r.Reload()
	if changed {
		t.Error("bad file reported as loaded")
	}
	wantInvalid(t, err, "key file "+path, "invalid JSON")
	if r.Current() != k1 {
		t.Fatal("bad file replaced the keyring")
	}
	if r.Err() == nil {
		t.Error("Err = nil after a failed reload")
	}
	// Polling again does not notify again.
	r.Reload()
	r.Reload()

	// A key file with a different index key is refused.
	other, _ := crypt.GenerateKeyFile()
	if err := crypt.WriteKeyFile(path, other); err != nil {
		t.Fatal(err)
	}
	_, err = r.Reload()
	wantInvalid(t, err, "blind index key changed")
	if r.Current() != k1 {
		t.Fatal("a file with another index key replaced the keyring")
	}

	// Group-readable: refused; chmod 600 alone (no content change) fixes it.
	if runtime.GOOS != "windows" {
		rotated, newID, _ := k1.Rotate()
		if err := crypt.WriteKeyFile(path, rotated); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		_, err = r.Reload()
		wantInvalid(t, err, "chmod 600")
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		if changed, err := r.Reload(); !changed || err != nil {
			t.Fatalf("Reload after chmod 600 = %v, %v", changed, err)
		}
		if r.Current().ActiveKeyID() != newID || r.Err() != nil {
			t.Fatalf("after the fix: active %q (want %q), Err %v", r.Current().ActiveKeyID(), newID, r.Err())
		}
	}

	// A removed file keeps the keys; its return is picked up.
	k2 := r.Current()
	good, _ := os.ReadFile(path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(); err == nil || r.Current() != k2 {
		t.Fatalf("Reload of a removed file = %v", err)
	}
	if err := crypt.WriteKeyFile(path, good); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Reload(); !changed || err != nil || r.Err() != nil {
		t.Fatalf("Reload of the restored file = %v, %v (Err %v)", changed, err, r.Err())
	}

	mu.Lock()
	defer mu.Unlock()
	var errs int
	for _, e := range calls {
		if e != nil {
			errs++
		}
	}
	want := 2 // half-written, other index key
	if runtime.GOOS != "windows" {
		want = 4 // + mode 0640, + removed
	}
	if errs != want {
		t.Errorf("OnReload reported %d errors, want %d (one per change): %v", errs, want, calls)
	}
}

func TestWatchFileErrors(t *testing.T) {
	_, err := crypt.WatchFile(t.TempDir()+"/missing.key", time.Second)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WatchFile(missing) = %v", err)
	}
	path := writeKeyFile(t, []byte(`{}`))
	_, err = crypt.WatchFile(path, time.Second)
	wantInvalid(t, err, `missing "version"`)
}

// TestReloaderConcurrent encrypts and decrypts from many goroutines while
// the key file is rotated under them; run with -race.
func TestReloaderConcurrent(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	path := writeKeyFile(t, content)
	r, err := crypt.WatchFile(path, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	idx := r.Current().BlindIndex("persons.name", "Ana")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			aad := crypt.AAD("persons", "name", string(rune('a'+g)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := r.Current()
				env, err := k.Encrypt([]byte("Ana"), aad)
				if err != nil {
					t.Error(err)
					return
				}
				// The keyring of a later moment still reads it.
				if pt, err := r.Current().Decrypt(env, aad); err != nil || string(pt) != "Ana" {
					t.Errorf("Decrypt = %q, %v", pt, err)
					return
				}
				if r.Current().BlindIndex("persons.name", "ana") != idx {
					t.Error("blind index changed")
					return
				}
			}
		}()
	}
	k := r.Current()
	for range 5 {
		content, id, err := k.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		if err := crypt.WriteKeyFile(path, content); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "key "+id, func() bool { return r.Current().ActiveKeyID() == id })
		k = r.Current()
		r.Reload() // concurrent with the polling goroutine
	}
	close(stop)
	wg.Wait()
}

func TestReloaderCloseStopsGoroutine(t *testing.T) {
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	path := writeKeyFile(t, content)
	// Count the watcher goroutines themselves, not all goroutines: other
	// tests' goroutines may still be ending while this one runs.
	before := watcherGoroutines()
	var rs []*crypt.Reloader
	for range 10 {
		r, err := crypt.WatchFile(path, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if n := watcherGoroutines(); n != before+10 {
		t.Fatalf("%d watcher goroutines after starting 10 watchers, had %d", n, before)
	}
	for _, r := range rs {
		r.Close()
	}
	// Close waits for the loop to return; the goroutine may take a moment
	// longer to leave the runtime's list.
	waitFor(t, "the watcher goroutines to end", func() bool { return watcherGoroutines() == before })
}

// watcherGoroutines counts live goroutines started by WatchFile (its polling
// loops), whether or not they have been scheduled yet.
func watcherGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "created by github.com/corridor-platform/corridor/internal/crypt.WatchFile")
		}
		buf = make([]byte, 2*len(buf))
	}
}

package crypt

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// maxKeyFileSize bounds what LoadKeyring reads: a key file with a thousand
// keys is under 64 KiB.
const maxKeyFileSize = 1 << 20

// LoadOption changes how [LoadKeyring] and [WatchFile] treat the key file.
type LoadOption func(*loadConfig)

type loadConfig struct {
	allowInsecure bool
	onReload      func(*Keyring, error)
}

// AllowInsecurePermissions lets [LoadKeyring] and [WatchFile] read a key file
// that its group or others may read. Meant for development and for systems
// whose file modes say nothing (some container volume mounts); production key
// files should be mode 0600.
func AllowInsecurePermissions() LoadOption {
	return func(c *loadConfig) { c.allowInsecure = true }
}

// OnReload sets a function a [Reloader] calls (from its own goroutine, or
// from Reload's caller) after it has loaded a changed key file (err == nil,
// kr is the new keyring) or failed to (kr == nil; the previous keyring stays
// in use). It is called once per change, not once per poll, and must not
// block for long. Use it to log: the keyring logs key ids only.
func OnReload(fn func(kr *Keyring, err error)) LoadOption {
	return func(c *loadConfig) { c.onReload = fn }
}

func newLoadConfig(opts []LoadOption) loadConfig {
	var c loadConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// LoadKeyring reads and parses the key file at path. Besides the errors of
// [ParseKeyring] (all prefixed with the path), it refuses, with an error
// wrapping [derrors.Invalid], a file that is not a regular file or that its
// group or others may read or write (mode & 0o077 != 0) unless
// [AllowInsecurePermissions] is given. A missing file is an error for which
// errors.Is(err, fs.ErrNotExist) holds.
func LoadKeyring(path string, opts ...LoadOption) (*Keyring, error) {
	k, _, err := loadFile(path, newLoadConfig(opts))
	return k, err
}

// loadFile reads the key file through one open descriptor, so the returned
// FileInfo describes exactly the content parsed (an atomic rename cannot
// slip in between). On a parse or permission error it still returns the
// FileInfo, so a Reloader does not retry an unchanged bad file.
func loadFile(path string, c loadConfig) (*Keyring, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, derrors.Kindf(derrors.Invalid, "key file %s: not a regular file (%v)", path, fi.Mode().Type())
	}
	if err := checkMode(path, fi.Mode(), c); err != nil {
		return nil, fi, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fi, fmt.Errorf("key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fi, derrors.Kindf(derrors.Invalid, "key file %s: larger than %d bytes; is it a key file?", path, maxKeyFileSize)
	}
	k, err := parseKeyFile(data)
	if err != nil {
		return nil, fi, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, fi, nil
}

// checkMode refuses a key file that others than its owner may access.
// Windows file modes do not describe ACLs, so the check is skipped there.
func checkMode(path string, mode fs.FileMode, c loadConfig) error {
	if c.allowInsecure || runtime.GOOS == "windows" {
		return nil
	}
	if perm := mode.Perm(); perm&0o077 != 0 {
		return derrors.Kindf(derrors.Invalid,
			"key file %s: mode %04o lets group or others access it; run `chmod 600 %s` (or allow insecure permissions explicitly)",
			path, perm, path)
	}
	return nil
}

// WriteKeyFile writes key file content to path with mode 0600, atomically:
// it writes a temporary file in the same directory, syncs it and renames it
// over path, so a reader (a [Reloader]) sees the old file or the new one,
// never half of one. content is parsed first and refused if invalid.
func WriteKeyFile(path string, content []byte) (err error) {
	defer derrors.Wrap(&err, "crypt.WriteKeyFile(%q)", path)
	if _, err := ParseKeyring(content); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(content); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename durable; not every system can sync a directory.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

package main

// corridor keys generate|rotate|retire: the encryption keys of personal
// data (see internal/crypt for the key file format and the threat model).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/crypt"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/store"
)

// keyReloadWait is how long `keys rotate` waits, by default, after writing
// the new key file and before re-encrypting: long enough for servers
// watching the file (they poll every 10 s) to load the new key, so that
// none meets a value under a key it does not know yet.
const keyReloadWait = 15 * time.Second

func runKeys(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "keys", []subcommand{
		{"generate", "create a new key file (mode 0600; never overwrites)", runKeysGenerate},
		{"rotate", "add a new active key and re-encrypt every personal field under it, without downtime", runKeysRotate},
		{"retire", "remove an old key from the key file once no data uses it", runKeysRetire},
	}, args)
}

func runKeysGenerate(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --out FILE",
		`Creates a key file: one AES-256 data key (active) and a blind index key.
The file is created with mode 0600 and an existing file is never
overwritten. Give it to serve and the other commands with --key-file FILE.
Keep it off the database host's backups: whoever holds the database and
the key file reads every personal record.`)
	if err != nil {
		return err
	}
	out := fs.String("out", "", "the key file to create")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := required(e, fs, "out"); err != nil {
		return err
	}
	content, err := crypt.GenerateKeyFile()
	if err != nil {
		return err
	}
	kr, err := crypt.ParseKeyring(content)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("--out: %s exists; a key file is never overwritten (it may be the only way to read the data)", *out)
	}
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	err = f.Chmod(0o600) // whatever the umask
	if err == nil {
		_, err = f.Write(content)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote key file %s (mode 0600, active key %s)\n", *out, kr.ActiveKeyID())
	return nil
}

// loadKeyFileFlag reads the keyring of --key-file for rotate and retire.
func loadKeyFileFlag(path string) (*crypt.Keyring, error) {
	kr, err := crypt.LoadKeyring(path)
	if err != nil {
		return nil, fmt.Errorf("--key-file: %w", err)
	}
	return kr, nil
}

// openWithKeyring opens the database and checks that kr reads every
// stored personal field (no row under a key kr lacks).
func openWithKeyring(ctx context.Context, e *env, cfg *Config, kr *crypt.Keyring) (*store.DB, error) {
	log, err := cliLogger(cfg, e)
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	db.SetKeys(kr)
	if err := db.CheckKeys(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("--key-file: %w", err)
	}
	if err := probeKeys(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// probeKeys decrypts the first user and the first person. CheckKeys
// compares key ids only, and generated ids are dates: a different key file
// made the same day has the same id. Failing here, before the key file is
// rewritten, is better than half-way through re-encryption.
func probeKeys(ctx context.Context, db *store.DB) error {
	_, _, err := db.Accounts().Users(ctx, auth.Filter{All: true}, 1, 0)
	if err == nil {
		_, _, err = db.People().List(ctx, auth.Filter{All: true}, store.PeopleQuery{Limit: 1})
	}
	if err != nil {
		return fmt.Errorf("--key-file: the key file does not decrypt the stored personal data (is it the file the data was written with?): %w", err)
	}
	return nil
}

func runKeysRotate(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --key-file FILE [--batch 500] [--wait 15s] [--no-new-key] [--db DB]",
		`Rotates the encryption key of personal data without downtime. In order:

 1. It checks that the key file reads every personal field in the database.
 2. It adds a new data key to the key file, active from now on, keeping the
    old keys (the file is replaced atomically; mode 0600). Servers started
    with --key-file watch the file and load it within 10 seconds: from then
    on they write under the new key and still read the old values.
 3. It waits --wait (default 15s) so that every running server has the new
    key before any value is re-encrypted under it.
 4. It re-encrypts, in short transactions of --batch rows, every personal
    field not under the active key, printing progress. Servers keep serving
    meanwhile. Blind indexes do not change.
 5. When it is done, retire the old key with
        corridor keys retire --key-file FILE --key OLD_ID
    which refuses while any row still uses it (run rotate --no-new-key
    again to re-encrypt rows a server wrote under the old key meanwhile).

Servers given the key through CORRIDOR_KEY do not reload it: switch them to
--key-file first. When FILE does not exist yet and CORRIDOR_KEY is set, the
rotated key file (holding CORRIDOR_KEY's key and the new one) is created
as FILE.

If re-encryption stops half-way (an error, Ctrl-C), run the command again
with --no-new-key: it re-encrypts what is left under the active key.`,
		"db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	batch := fs.Int("batch", 500, "rows re-encrypted per transaction (1 to 100000)")
	wait := fs.Duration("wait", keyReloadWait, "pause between writing the new key file and re-encrypting (0 when no server runs)")
	noNewKey := fs.Bool("no-new-key", false, "do not add a key: re-encrypt what is not under the active key yet")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := required(e, fs, "key-file"); err != nil {
		return err
	}
	if *batch < 1 || *batch > 100000 {
		return fmt.Errorf("--batch: %d is outside 1..100000", *batch)
	}
	if *wait < 0 {
		return fmt.Errorf("--wait: must not be negative")
	}
	path := cfg.KeyFile
	old, err := crypt.LoadKeyring(path)
	fromEnv := false
	if errors.Is(err, os.ErrNotExist) && e.getenv("CORRIDOR_KEY") != "" && !*noNewKey {
		old, err = crypt.FromEnv(e.getenv("CORRIDOR_KEY"))
		if err != nil {
			return fmt.Errorf("CORRIDOR_KEY: %w", err)
		}
		fromEnv = true
	} else if err != nil {
		return fmt.Errorf("--key-file: %w", err)
	}

	db, err := openWithKeyring(ctx, e, &cfg, old)
	if err != nil {
		return err
	}
	defer db.Close()

	kr, oldActive := old, old.ActiveKeyID()
	if !*noNewKey {
		content, newID, err := old.Rotate()
		if err != nil {
			return err
		}
		if kr, err = crypt.ParseKeyring(content); err != nil {
			return err
		}
		if err := crypt.WriteKeyFile(path, content); err != nil {
			return fmt.Errorf("--key-file: %w", err)
		}
		src := "the key file"
		if fromEnv {
			src = "CORRIDOR_KEY"
		}
		fmt.Fprintf(e.stdout, "added key %s (active) to %s; it keeps the key(s) of %s: %s\n",
			newID, path, src, strings.Join(old.KeyIDs(), ", "))
		if _, err := db.Audit().Append(ctx, cliEntry("rotate", "keys", newID,
			fmt.Sprintf("key %s added and made active (was %s)", newID, oldActive))); err != nil {
			return err
		}
		if *wait > 0 {
			fmt.Fprintf(e.stdout, "waiting %s for running servers to load the new key file…\n", *wait)
			select {
			case <-time.After(*wait):
			case <-ctx.Done():
				return fmt.Errorf("interrupted before re-encrypting; the new key is in %s: run %s --no-new-key to finish", path, name)
			}
		}
	}
	db.SetKeys(kr)
	active := kr.ActiveKeyID()
	fmt.Fprintf(e.stdout, "re-encrypting personal fields under key %s, %d rows per transaction\n", active, *batch)
	n, err := db.RotateKeys(ctx, *batch, func(table string, done int) {
		fmt.Fprintf(e.stdout, "  %s: %d row(s) re-encrypted so far\n", table, done)
	})
	if err != nil {
		return fmt.Errorf("re-encryption stopped after %d rows (run %s --no-new-key to finish): %w", n, name, err)
	}
	// The case tables (comments, tasks, services, consents, referrals,
	// monitoring and the case's own details) hold personal fields too.
	nc, err := db.RotateCaseKeys(ctx, *batch, func(table string, done int) {
		fmt.Fprintf(e.stdout, "  %s: %d row(s) re-encrypted so far\n", table, n+done)
	})
	n += nc
	if err != nil {
		return fmt.Errorf("re-encryption stopped after %d rows (run %s --no-new-key to finish): %w", n, name, err)
	}
	if _, err := db.Audit().Append(ctx, cliEntry("reencrypt", "keys", active,
		fmt.Sprintf("%d rows re-encrypted under key %s", n, active))); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "done: %d row(s) re-encrypted; every personal field is under key %s\n", n, active)
	if others := without(kr.KeyIDs(), active); len(others) > 0 {
		fmt.Fprintf(e.stdout, "once every server runs with the new key file, retire the old key(s): %s keys retire --key-file %s --key %s\n",
			"corridor", path, others[0])
	}
	return nil
}

func without(ids []string, id string) []string {
	var out []string
	for _, s := range ids {
		if s != id {
			out = append(out, s)
		}
	}
	return out
}

func runKeysRetire(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --key-file FILE --key ID [--db DB]",
		`Removes an old data key from the key file (atomically; mode 0600). It
refuses while any personal field in the database is still encrypted under
that key (run corridor keys rotate first), and refuses the active key.
Retire a key only once every server has loaded the rotated key file (they
reload it within 10 seconds).`,
		"db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	keyID := fs.String("key", "", "the id of the key to remove")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := required(e, fs, "key-file", "key"); err != nil {
		return err
	}
	kr, err := loadKeyFileFlag(cfg.KeyFile)
	if err != nil {
		return err
	}
	content, err := kr.Retire(*keyID)
	switch {
	case errors.Is(err, derrors.NotFound):
		return fmt.Errorf("--key: %q is not in %s (its keys: %s)", *keyID, cfg.KeyFile, strings.Join(kr.KeyIDs(), ", "))
	case errors.Is(err, derrors.Invalid):
		return fmt.Errorf("--key: %q is the active key and cannot be retired; run corridor keys rotate first", *keyID)
	case err != nil:
		return err
	}
	retired, err := crypt.ParseKeyring(content)
	if err != nil {
		return err
	}
	// The key file as it is must read the data; then, without the key,
	// it must still: otherwise some row uses the key.
	db, err := openWithKeyring(ctx, e, &cfg, kr)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetKeys(retired)
	if err := db.CheckKeys(ctx); err != nil {
		return fmt.Errorf("--key: key %s is still in use, nothing was changed (%v); re-encrypt first: corridor keys rotate --key-file %s --no-new-key",
			*keyID, strings.TrimPrefix(err.Error(), derrors.Unavailable.Error()+": "), cfg.KeyFile)
	}
	if err := crypt.WriteKeyFile(cfg.KeyFile, content); err != nil {
		return fmt.Errorf("--key-file: %w", err)
	}
	if _, err := db.Audit().Append(ctx, cliEntry("retire", "keys", *keyID,
		fmt.Sprintf("key %s removed from the key file", *keyID))); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "retired key %s; %s now holds: %s (active %s)\n", *keyID, cfg.KeyFile,
		strings.Join(retired.KeyIDs(), ", "), retired.ActiveKeyID())
	return nil
}

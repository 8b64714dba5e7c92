package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/corridor-platform/corridor/internal/store"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs, err := newFlagSet("migrate", e, &cfg, "db", "log-level", "log-format")
	if err != nil {
		return err
	}
	status := fs.Bool("status", false, "show the schema version without migrating")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	cfg.BodyLimit = 1 << 20
	if err := cfg.validate(); err != nil {
		return err
	}
	log := cfg.logger(e.stderr)
	db, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if !*status {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "applied %d migration(s) %v\n", len(applied), applied)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s schema version %d (latest %d)\n", db.Engine(), cur, latest)
	return nil
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs, err := newFlagSet("version", e, &Config{})
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	fmt.Fprintln(e.stdout, "corridor", version())
	return nil
}

// version is the VCS revision the binary was built from, when known.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v = rev
		if dirty {
			v += "+dirty"
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v
}

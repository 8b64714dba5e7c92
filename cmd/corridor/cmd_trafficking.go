package main

// corridor trafficking list|remove: the public counter-trafficking sources.

import (
	"context"
	"fmt"
	"strings"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/store"
)

func runTrafficking(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "trafficking", []subcommand{
		{"list", "list the public counter-trafficking sources (imported CTDC files, published releases)", runTraffickingList},
		{"remove", "remove an imported CTDC file from the public pages and API", runTraffickingRemove},
	}, args)
}

func runTraffickingList(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" [--db DB]",
		`Lists the sources of the public counter-trafficking dashboard, newest
first: source name, layout, records (an aggregates release: its released
total), loaded at.`, "db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	db, done, err := openAudit(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	srcs, err := db.TraffickingSources(ctx)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		fmt.Fprintf(e.stdout, "%s\t%s\t%d\t%s\n", s.Source, s.Layout, s.Records, s.LoadedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if len(srcs) == 0 {
		fmt.Fprintln(e.stdout, "no source loaded (corridor import ctdc FILE)")
	}
	return nil
}

func runTraffickingRemove(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" SOURCE [--db DB]",
		`Removes an imported CTDC file (a source named import:FILE, as listed by
'corridor trafficking list') and its records from the public pages and
API; the removal is audited. A published release (release:ID) is taken
down by withdrawing it (the releases page or POST
/api/v1/releases/ID/withdraw), not here.`, "db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	var source string
	if fs.NArg() > 0 { // flags may follow SOURCE too
		source = fs.Arg(0)
		if err := parse(fs, fs.Args()[1:]); err != nil {
			return helpOK(err)
		}
	}
	if source == "" || fs.NArg() != 0 {
		return usageError(e, fs, "give one SOURCE (e.g. import:CTDC_VPsynthetic_condensed.csv; see corridor trafficking list)")
	}
	if !strings.HasPrefix(source, "import:") {
		return fmt.Errorf("%s: %q is not an imported file (import:FILE); withdraw a published release instead", name, source)
	}
	db, done, err := openAudit(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	if _, err := db.TraffickingSourceOf(ctx, source); err != nil {
		return fmt.Errorf("%s: %w (see corridor trafficking list)", name, err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.DeleteTraffickingSource(ctx, tx, source); err != nil {
			return err
		}
		_, err := db.Audit().AppendTx(ctx, tx, audit.Entry{ActorName: "cli", Action: audit.ActionDelete, Resource: "trafficking",
			RecordID: source, Outcome: audit.OutcomeOK, Detail: "public counter-trafficking source removed"})
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: removing %s: %w", name, source, err)
	}
	fmt.Fprintf(e.stdout, "removed %s\n", source)
	return nil
}

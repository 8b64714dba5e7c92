package main

// corridor labour generate: the benchmark population of labour mobility.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/store"
)

func runLabour(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "labour", []subcommand{
		{"generate", "add synthetic worker profiles and vacancies made from the ESCO occupation profiles", runLabourGenerate},
	}, args)
}

// The fictitious organisations the generated population belongs to.
var (
	synthAgency   = auth.Org{Name: "Labour agency (synthetic)", Kind: "government", Country: "KEN"}
	synthEmployer = auth.Org{Name: "Employer (synthetic)", Kind: "employer", Country: "DEU"}
)

const maxLabourWorkers, maxLabourVacancies = 1_000_000, 100_000

func runLabourGenerate(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --workers N --vacancies M [--seed S] --key-file FILE [--db DB]",
		`Adds N fictitious worker profiles and M published vacancies, made from the
ESCO occupation profiles (corridor import esco first): occupations drawn
with a skewed popularity so that supply and demand overlap, skills from
each occupation's essential and optional skills, languages, education,
experience, preferred destinations, wages and legal channels. The same
seed gives the same population. They belong to two fictitious
organisations, "`+synthAgency.Name+`" and "`+synthEmployer.Name+`", created on the
first run. Personal fields (fictitious names) are encrypted under the key
of --key-file (or CORRIDOR_KEY); the load is audited.`, "db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	workers := fs.Int("workers", 0, "how many worker profiles (0 to 1,000,000)")
	vacancies := fs.Int("vacancies", 0, "how many vacancies (0 to 100,000)")
	seed := fs.Int64("seed", 1, "seed of the generator: the same seed gives the same population")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *workers < 0 || *workers > maxLabourWorkers {
		return usageError(e, fs, "--workers must be from 0 to %d", maxLabourWorkers)
	}
	if *vacancies < 0 || *vacancies > maxLabourVacancies {
		return usageError(e, fs, "--vacancies must be from 0 to %d", maxLabourVacancies)
	}
	if *workers+*vacancies == 0 {
		return usageError(e, fs, "give --workers and/or --vacancies")
	}
	db, done, err := openPersonal(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	if !db.KeysConfigured() {
		return fmt.Errorf("--key-file: %w", store.ErrNoKey)
	}
	tax, err := db.LabourTaxonomy(ctx)
	if err != nil {
		return err
	}
	agency, err := ensureOrg(ctx, db, synthAgency)
	if err != nil {
		return err
	}
	employer, err := ensureOrg(ctx, db, synthEmployer)
	if err != nil {
		return err
	}
	start := time.Now()
	ws, vs := labour.Population(tax, *workers, *vacancies, *seed)
	if err := db.BulkLoadLabour(ctx, 0, agency.ID, employer.ID, ws, vs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d worker profiles (%s) and %d vacancies (%s) in %s (seed %d)\n", name, len(ws), agency.Name,
		len(vs), employer.Name, time.Since(start).Round(time.Millisecond), *seed)
	return nil
}

// ensureOrg returns the organisation of that name, creating it if needed.
func ensureOrg(ctx context.Context, db *store.DB, o auth.Org) (auth.Org, error) {
	got, err := db.Accounts().OrgByName(ctx, o.Name)
	if err == nil {
		return got, nil
	}
	if !errors.Is(err, derrors.NotFound) {
		return got, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) (err error) {
		got, err = db.Accounts().CreateOrg(ctx, tx, o)
		return err
	})
	return got, err
}

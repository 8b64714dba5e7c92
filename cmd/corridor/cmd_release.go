package main

// corridor release build|verify: de-identified releases of the
// counter-trafficking data (internal/release), from the cases whose people
// consented to statistical use or from a CSV in the CTDC global schema.
//
//	corridor release build --method kanon-aggregates --input cases --user NAME --key-file corridor.key --out DIR
//	corridor release build --method kanon --input ctdc.csv --k 10 --out DIR
//	corridor release verify DIR

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/release"
	"github.com/corridor-platform/corridor/internal/release/table"
)

func runRelease(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "release", []subcommand{
		{"build", "build a de-identified release of counter-trafficking data into a directory", runReleaseBuild},
		{"verify", "check a release directory's guarantees from its files", runReleaseVerify},
	}, args)
}

// releaseFlags are the parameters of release build.
type releaseFlags struct {
	method, input, user, out, qis, sensitive string
	k, reportingLength, resolution, l        int
	epsilon, delta, maxSuppression           float64
	seed                                     uint64
	title, publisher, citation               string
}

func (rf *releaseFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&rf.method, "method", "", "kanon-aggregates | dp-aggregates | synthetic | kanon")
	fs.StringVar(&rf.input, "input", "cases", `"cases" (the cases whose people consented to statistical use, as --user sees them) or a CSV file in the CTDC global schema`)
	fs.StringVar(&rf.user, "user", "", "with --input cases: the user whose export scope the release covers (needs export on cases)")
	fs.StringVar(&rf.out, "out", "", "directory to create for the release (must not exist)")
	fs.IntVar(&rf.k, "k", 10, "kanon: smallest class size")
	fs.IntVar(&rf.reportingLength, "reporting-length", 4, "aggregate methods and synthetic: longest attribute combination counted")
	fs.IntVar(&rf.resolution, "resolution", 10, "aggregate methods and synthetic: released counts are at least this and a multiple of it")
	fs.Float64Var(&rf.epsilon, "epsilon", 0, "dp-aggregates (and synthetic from DP aggregates): privacy budget ε")
	fs.Float64Var(&rf.delta, "delta", 0, "with --epsilon: privacy budget δ")
	fs.StringVar(&rf.qis, "qi", "", "kanon: comma-separated quasi-identifier columns (default: "+strings.Join(release.DefaultQuasiIdentifiers, ",")+"); aggregate methods: the columns aggregated (default: all)")
	fs.StringVar(&rf.sensitive, "sensitive", "", "kanon: a column that must be l-diverse in every class")
	fs.IntVar(&rf.l, "l", 0, "with --sensitive: distinct values required per class")
	fs.Float64Var(&rf.maxSuppression, "max-suppression", 0.02, "kanon: largest share of records that may be suppressed")
	fs.Uint64Var(&rf.seed, "seed", 1, "seed of the randomised methods (the same seed gives the same release); with --epsilon the default is a random seed, as a known seed would let anyone regenerate the noise (it is kept in the publisher's release.json, not in the public one)")
	fs.StringVar(&rf.title, "title", "Counter-trafficking data release", "data card: title")
	fs.StringVar(&rf.publisher, "publisher", "", "data card: publishing organisation")
	fs.StringVar(&rf.citation, "citation", "", "data card: how to cite the release")
}

func (rf *releaseFlags) params() release.Params {
	p := release.Params{Method: release.Method(rf.method), ReportingLength: rf.reportingLength, Resolution: rf.resolution,
		Epsilon: rf.epsilon, Delta: rf.delta, Seed: rf.seed}
	if rf.qis != "" {
		for _, c := range strings.Split(rf.qis, ",") {
			p.QuasiIdentifiers = append(p.QuasiIdentifiers, strings.TrimSpace(c))
		}
	}
	switch p.Method {
	case release.MethodKAnon:
		p.K, p.Sensitive, p.L, p.MaxSuppression = rf.k, rf.sensitive, rf.l, rf.maxSuppression
		p.ReportingLength, p.Resolution, p.Epsilon, p.Delta = 0, 0, 0, 0
		if len(p.QuasiIdentifiers) == 0 {
			p.QuasiIdentifiers = release.DefaultQuasiIdentifiers
		}
	case release.MethodKAnonAggregates:
		p.Epsilon, p.Delta = 0, 0
	}
	return p
}

func runReleaseBuild(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --method METHOD [--input cases|FILE.csv] [parameters] --out DIR",
		`Builds a de-identified release of counter-trafficking data into DIR:
release.json (method, parameters, input, mapping), the released files
(aggregates.csv and/or records.csv), report.json (utility and risk) and
datacard.md; then verifies it from the files as "release verify" does.
With --input cases the records are the non-draft counter-trafficking cases
whose person consented to statistical use, within --user's export scope
(personal fields are decrypted under --key-file; the read is audited).`, "db", "key-file", "data-dir", "log-level", "log-format")
	if err != nil {
		return err
	}
	var rf releaseFlags
	rf.define(fs)
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if rf.out == "" {
		return usageError(e, fs, "--out: the directory to create is required")
	}
	p := rf.params()
	if p.Epsilon > 0 && !flagSet(fs, "seed") {
		p.Seed = randomSeed()
	}
	if err := p.Validate(); err != nil {
		return flagNames(err)
	}
	src, err := releaseSource(ctx, e, &cfg, rf)
	if err != nil {
		return err
	}
	card := release.DataCard{Title: rf.title, Publisher: rf.publisher, Citation: rf.citation}
	b, err := release.Build(src, p, card, version())
	if err != nil {
		return flagNames(err)
	}
	if err := release.WriteRelease(rf.out, b.Manifest, b.Aggregates, b.Records, b.Report); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "release %s written to %s: %d input records, %s in %.1f s\n", p.Method, rf.out, len(src.Table.Rows), builtSummary(b), b.Report.Seconds)
	rep, err := release.Verify(rf.out)
	printVerify(e, rep)
	if err != nil {
		return fmt.Errorf("the release fails verification and must not be published: %w", err)
	}
	return nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// randomSeed is an unpredictable seed for the noise of a DP release.
func randomSeed() uint64 {
	var b [8]byte
	crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// builtSummary says what a release holds.
func builtSummary(b release.Built) string {
	var parts []string
	if b.Aggregates != nil {
		parts = append(parts, fmt.Sprintf("%d aggregate rows", len(b.Aggregates.Rows)))
	}
	if b.Records != nil {
		parts = append(parts, fmt.Sprintf("%d records", len(b.Records.Rows)))
	}
	if k := b.Report.KAnon; k != nil {
		parts = append(parts, fmt.Sprintf("%d suppressed, %d classes (smallest %d)", k.Suppressed, k.Classes, k.MinClassSize))
	}
	return strings.Join(parts, ", ")
}

// releaseSource reads the input of a build: the consenting cases, or a CSV.
func releaseSource(ctx context.Context, e *env, cfg *Config, rf releaseFlags) (release.Source, error) {
	var src release.Source
	if err := cfg.resolveDataDir(); err != nil {
		return src, err
	}
	ref, err := geo.LoadReference(ctx, geo.DefaultSourceFiles(cfg.DataDir), geo.Hooks{})
	if err != nil {
		return src, fmt.Errorf("reference geography from %s: %w", cfg.DataDir, err)
	}
	src.Countries = release.CountryAreas(ref.Areas)
	if rf.input != "cases" {
		t, notes, err := release.LoadInputNotes(rf.input)
		if err != nil {
			return src, fmt.Errorf("--input: %w", err)
		}
		src.Table = t
		src.Input = release.Input{Description: "CSV in the CTDC global schema", Source: filepath.Base(rf.input), Records: len(t.Rows), Columns: t.Columns, Notes: notes}
		return src, nil
	}
	if rf.user == "" {
		return src, errors.New("--user: with --input cases, the user whose export scope the release covers is required")
	}
	db, done, err := openPersonal(ctx, e, cfg)
	if err != nil {
		return src, err
	}
	defer done()
	id, err := db.Accounts().UserID(ctx, rf.user)
	if err != nil {
		return src, fmt.Errorf("--user: %w", err)
	}
	me, err := db.Accounts().Principal(ctx, id, nil)
	if err != nil {
		return src, err
	}
	rows, counted, err := db.Cases().ReleaseSource(ctx, me)
	if err != nil {
		return src, err
	}
	src.Table = &table.Table{Columns: release.CTDCColumns, Rows: rows}
	src.ExcludedNoConsent, src.ExcludedWithdrawn = counted.NoConsent, counted.Withdrawn
	// ReleaseSource wrote the audit entry of the read, as rf.user.
	src.Input = release.Input{Description: fmt.Sprintf("counter-trafficking cases in %s's export scope whose person consented to statistical use "+
		"(%d cases: %d included, %d without consent, %d withdrawn, %d not victims)", rf.user, counted.Cases, counted.Included, counted.NoConsent, counted.Withdrawn, counted.NotVictim),
		Source: "cases", Records: len(rows), Columns: release.CTDCColumns}
	return src, nil
}

// flagNames turns the parameter names of release errors into flag names.
func flagNames(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, r := range [][2]string{{"reportingLength", "--reporting-length"}, {"maxSuppression", "--max-suppression"}, {"quasiIdentifiers", "--qi"}} {
		msg = strings.ReplaceAll(msg, r[0], r[1])
	}
	if msg == err.Error() {
		return err
	}
	if k := derrors.Kind(err); k != nil {
		return derrors.Kindf(k, "%s", msg)
	}
	return errors.New(msg)
}

func runReleaseVerify(ctx context.Context, e *env, name string, args []string) error {
	fs, err := newFlagSet(name, e, &Config{})
	if err != nil {
		return err
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s DIR\n\nChecks a release directory from its files: class sizes (kanon), counts at least the\nresolution and multiples of it, no leaked rare combination, no identifier or free-text column.\n", name)
	}
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() != 1 {
		return usageError(e, fs, "one release directory is required")
	}
	rep, err := release.Verify(fs.Arg(0))
	printVerify(e, rep)
	if err != nil {
		return fmt.Errorf("%s fails verification: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.stdout, "%s: all %d checks pass\n", fs.Arg(0), len(rep.Checks))
	return nil
}

func printVerify(e *env, rep release.VerifyReport) {
	for _, c := range rep.Checks {
		mark := "pass"
		if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(e.stdout, "  %s  %-24s %s\n", mark, c.Name, c.Message)
	}
}

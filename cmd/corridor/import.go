package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/corridor-platform/corridor/internal/importer"
)

func runImport(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs, err := newFlagSet("import", e, &cfg, "db", "data-dir", "log-level", "log-format")
	if err != nil {
		return err
	}
	list := fs.Bool("list", false, "list the datasets that can be imported")
	reportFile := fs.String("report", "", "write the full import report (every rejected row) as JSON to this file")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: corridor import [flags] DATASET [FILE...]\n\nImports DATASET from FILEs, or from the shipped files under --data-dir.\nFlags:")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	reg := importer.Builtin()
	if *list {
		return listDatasets(e, reg)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if err := cfg.validateForImport(); err != nil {
		return err
	}
	name, files := fs.Arg(0), fs.Args()[1:]
	ds, err := reg.Get(name)
	if err != nil {
		return err
	}
	// A dataset of user files ships nothing: without FILE its own message
	// says where to get one.
	if len(files) == 0 && !ds.UserFiles {
		if err := cfg.resolveDataDir(); err != nil {
			return err
		}
	}
	log := cfg.logger(e.stderr)
	db, err := openDB(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	rn := &importer.Runner{DB: db, Registry: reg, DataDir: cfg.DataDir, Progress: e.stderr, Host: hostname()}
	rep, err := rn.Run(ctx, name, files)
	if *reportFile != "" {
		if werr := writeReport(*reportFile, rep, err); werr != nil {
			return werr
		}
	}
	if err != nil {
		return fmt.Errorf("%w\nnothing was changed: the data served before is still served", err)
	}
	fmt.Fprint(e.stdout, rep.Summary(50))
	return nil
}

func (c *Config) validateForImport() error {
	c.BodyLimit = 1 << 20
	return c.validate()
}

func listDatasets(e *env, reg *importer.Registry) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATASET\tDESCRIPTION\tFILES")
	for _, d := range reg.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, d.Description, d.Usage)
	}
	return tw.Flush()
}

func writeReport(path string, rep importer.Report, runErr error) error {
	out := struct {
		importer.Report
		Error string `json:"error,omitempty"`
	}{Report: rep}
	if runErr != nil {
		out.Error = runErr.Error()
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

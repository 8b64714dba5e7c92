package main

// corridor audit verify|export.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/store"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "audit", []subcommand{
		{"verify", "check the hash chain of the whole audit trail and its recorded head", runAuditVerify},
		{"export", "write the audit trail (or a time range of it) to a CSV file, oldest first", runAuditExport},
	}, args)
}

// openAudit opens the database for the audit commands. The audit trail
// holds no personal data, so no key is needed; when one is configured
// (--key-file, CORRIDOR_KEY) it is checked against the stored personal
// data as well, as every command that takes it does.
func openAudit(ctx context.Context, e *env, cfg *Config) (*store.DB, func(), error) {
	if cfg.KeyFile != "" || e.getenv("CORRIDOR_KEY") != "" {
		return openPersonal(ctx, e, cfg)
	}
	log, err := cliLogger(cfg, e)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

func runAuditVerify(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" [--anchor SEQ:HASH] [--db DB] [--key-file FILE]",
		`Verifies the whole audit trail: every entry's hash, the chain of hashes
from the first entry to the last, and that the trail ends at the head the
database records. Any altered, removed, inserted or reordered entry fails
the check, and the first bad entry is named (exit status 1).

On success it prints
    audit trail OK: N entries, head SEQ:HASH
Keep that head line outside the database (a ticket, a signed e-mail,
another system) and pass it back later with --anchor: the trail must then
still contain that entry with that hash, which also catches someone who
rewrote the trail and the recorded head together.`,
		"db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	anchorFlag := fs.String("anchor", "", "a head printed by an earlier verify (SEQ:HASH) that the trail must contain")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	var anchor *audit.Head
	if *anchorFlag != "" {
		h, err := audit.ParseHead(*anchorFlag)
		if err != nil {
			return fmt.Errorf("--anchor: %q is not SEQ:HASH as printed by audit verify (e.g. 42:9f86d0…, 64 hex digits)", *anchorFlag)
		}
		anchor = &h
	}
	db, done, err := openAudit(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	res, err := db.Audit().Verify(ctx, anchor)
	if ce, ok := errors.AsType[*audit.ChainError](err); ok {
		verified := "no entry before it verified"
		if res.Count > 0 {
			verified = fmt.Sprintf("entries 1 to %d verified (head %s)", res.Head.Seq, res.Head)
		}
		return fmt.Errorf("audit trail FAILED verification at entry %d (%s check): %s; %s", ce.Seq, ce.Check, ce.Reason, verified)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "audit trail OK: %d entries, head %s\n", res.Count, res.Head)
	if anchor != nil {
		fmt.Fprintf(e.stdout, "anchor %s found in the trail\n", anchor)
	}
	return nil
}

func runAuditExport(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --out FILE.csv [--from RFC3339] [--to RFC3339] [--db DB] [--key-file FILE]",
		`Writes the audit trail to a CSV file, oldest entry first, with the
columns seq, time, actorId, actorName, orgId, action, resource, recordId,
outcome, clientAddr, detail, prevHash, hash (as the API's export). Cells
that a spreadsheet would take for a formula (starting with = + - @) are
prefixed with '. The file is created with mode 0600 and never overwritten;
--out - writes to standard output. The export itself is recorded in the
audit trail.`,
		"db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	out := fs.String("out", "", "the CSV file to create (- for standard output)")
	from := fs.String("from", "", "only entries at or after this time (RFC 3339, e.g. 2026-11-27T00:00:00Z)")
	to := fs.String("to", "", "only entries before this time (RFC 3339; exclusive)")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := required(e, fs, "out"); err != nil {
		return err
	}
	f := audit.Filter{Limit: audit.MaxLimit}
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"--from", *from, &f.From}, {"--to", *to, &f.To}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return fmt.Errorf("%s: %q is not an RFC 3339 time, e.g. 2026-11-27T10:00:00Z", t.flag, t.v)
		}
		*t.dst = v.UTC()
	}
	if err := f.Validate(); err != nil {
		return flagError(err, map[string]string{"from": "--from", "to": "--to"})
	}
	db, done, err := openAudit(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()

	var w io.Writer = e.stdout
	var file *os.File
	if *out != "-" {
		file, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("--out: %s exists; choose another name (an export never overwrites a file)", *out)
		}
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		w = file
	}
	n, err := writeAuditCSV(ctx, db, f, w)
	if file != nil {
		if err == nil {
			err = file.Sync()
		}
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(*out)
		}
	}
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("%d entries exported to CSV", n)
	if !f.From.IsZero() || !f.To.IsZero() {
		detail += fmt.Sprintf(" (from %s to %s)", timeOrOpen(f.From), timeOrOpen(f.To))
	}
	if _, err := db.Audit().Append(ctx, cliEntry(audit.ActionExport, "audit", "", detail)); err != nil {
		return err
	}
	if file != nil {
		fmt.Fprintf(e.stdout, "exported %d audit entries to %s\n", n, *out)
	}
	return nil
}

func timeOrOpen(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

// writeAuditCSV writes the entries f selects, oldest first, page by page.
func writeAuditCSV(ctx context.Context, db *store.DB, f audit.Filter, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "time", "actorId", "actorName", "orgId", "action", "resource", "recordId", "outcome",
		"clientAddr", "detail", "prevHash", "hash"})
	n := 0
	for {
		entries, err := db.Audit().List(ctx, f)
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.Time.Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
				csvCell(e.ActorName), strconv.FormatInt(e.OrgID, 10), e.Action, e.Resource, csvCell(e.RecordID), e.Outcome,
				e.ClientAddr, csvCell(e.Detail), e.PrevHash, e.Hash})
		}
		n += len(entries)
		if len(entries) < f.Limit {
			break
		}
		f = f.Next(entries[len(entries)-1])
	}
	cw.Flush()
	return n, cw.Error()
}

// csvCell defuses spreadsheet formula injection, as the API's export does.
func csvCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

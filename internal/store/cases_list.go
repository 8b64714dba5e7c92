package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
)

// querier is a transaction or the pool, with portable placeholders.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// poolQuerier runs queries on the pool, outside a transaction.
type poolQuerier struct{ db *DB }

func (q poolQuerier) Query(ctx context.Context, s string, args ...any) (*sql.Rows, error) {
	rows, err := q.db.sql.QueryContext(ctx, q.db.dialect.rebind(s), args...)
	return rows, classify(err)
}

func (q poolQuerier) QueryRow(ctx context.Context, s string, args ...any) *sql.Row {
	return q.db.sql.QueryRowContext(ctx, q.db.dialect.rebind(s), args...)
}

// cond is an SQL condition with its arguments.
type cond struct {
	sql  string
	args []any
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// scopeTerms turns a record scope into disjoint conditions on cases c,
// each served by one index (organisation, team, owner): a case in the
// scope matches exactly one of them, so that counts add up and each
// listing branch is an index range read.
func scopeTerms(f auth.Filter) []cond {
	switch {
	case f.None:
		return nil
	case f.All:
		return []cond{{sql: "1 = 1"}}
	case f.OrgID != 0:
		return []cond{{sql: "c.org_id = ?", args: []any{f.OrgID}}}
	}
	if len(f.TeamIDs) == 0 {
		return []cond{{sql: "c.owner_id = ?", args: []any{f.OwnerID}}}
	}
	teams := make([]any, len(f.TeamIDs))
	for i, t := range f.TeamIDs {
		teams[i] = t
	}
	ph := placeholders(len(teams))
	out := make([]cond, 0, len(teams)+1)
	for _, t := range teams {
		out = append(out, cond{sql: "c.team_id = ?", args: []any{t}})
	}
	return append(out, cond{sql: "c.owner_id = ? AND (c.team_id IS NULL OR c.team_id NOT IN (" + ph + "))",
		args: append([]any{f.OwnerID}, teams...)})
}

// referredTerm is the condition of the cases referred to p's organisation
// and not already in scope f (disjoint from scopeTerms).
func referredTerm(p *auth.Principal, f auth.Filter) (cond, bool) {
	if p.OrgID == 0 || f.All {
		return cond{}, false
	}
	scope, args := scopeSQL(f, casesScope)
	return cond{sql: "NOT " + scope + " AND " + referredSQL, args: append(args, p.OrgID)}, true
}

// listTerm is one disjoint part of a listing: the table it reads (as c)
// and its condition.
type listTerm struct {
	from string
	cond
}

// listTerms are the disjoint parts of p's listing: one per scope term
// (an index range of cases) and the cases referred to p's organisation,
// read from case_access, whose copied columns serve the same filters.
func listTerms(p *auth.Principal, f auth.Filter) []listTerm {
	var out []listTerm
	for _, t := range scopeTerms(f) {
		out = append(out, listTerm{from: "cases c", cond: t})
	}
	if p.OrgID == 0 || f.All {
		return out
	}
	scope, args := scopeSQL(f, casesScope)
	return append(out, listTerm{from: "case_access c", cond: cond{sql: "c.to_org_id = ? AND NOT " + scope, args: append([]any{p.OrgID}, args...)}})
}

// filterConds are the conditions of a filter other than status and draft.
func filterConds(f cases.Filter) cond {
	var c cond
	add := func(s string, v any) {
		c.sql += " AND " + s
		c.args = append(c.args, v)
	}
	if f.Kind != "" {
		add("c.kind = ?", f.Kind)
	}
	if f.OwnerID != 0 {
		add("c.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		add("c.team_id = ?", f.TeamID)
	}
	if f.OrgID != 0 {
		add("c.org_id = ?", f.OrgID)
	}
	if f.Nationality != "" {
		add("c.nationality = ?", f.Nationality)
	}
	if f.PersonID != 0 {
		add("c.person_id = ?", f.PersonID)
	}
	return c
}

func statusesOf(f cases.Filter) []string {
	if f.Status != "" {
		return []string{f.Status}
	}
	return cases.CaseStatuses
}

func draftsOf(f cases.Filter) []any {
	if f.IncludeDrafts {
		return []any{false, true}
	}
	return []any{false}
}

// List returns a page of case summaries, newest first: the cases in the
// caller's read scope and those referred to its organisation (accepted,
// consent in force), matching f. Pages are keyset-paginated (f.After,
// Page.Next); Offset is honoured too. The listing is audited (one entry
// naming the cases shown).
func (s *Cases) List(ctx context.Context, p *auth.Principal, f cases.Filter) (page cases.Page, err error) {
	defer derrors.Wrap(&err, "store.Cases.List")
	if err := f.Validate(); err != nil {
		return page, err
	}
	if p == nil || !p.Can(casesResource, auth.Read) {
		return page, forbidden(auth.Read)
	}
	sf := p.FilterFor(casesResource, auth.Read)
	terms := listTerms(p, sf)
	fc := filterConds(f)
	statuses, drafts := statusesOf(f), draftsOf(f)
	n := f.Limit + f.Offset + 1 // one more than the page: is there a next one?

	// One branch per term × draft × status: equality on an index prefix,
	// then the id order of the index, LIMIT n.
	var branches []string
	var args []any
	statusIn := " AND c.draft IN (" + placeholders(len(drafts)) + ") AND c.status IN (" + placeholders(len(statuses)) + ")"
	var statusArgs []any
	statusArgs = append(statusArgs, drafts...)
	for _, st := range statuses {
		statusArgs = append(statusArgs, st)
	}
	after := ""
	var afterArgs []any
	if f.After > 0 {
		after, afterArgs = " AND c.id < ?", []any{f.After}
	}
	for _, t := range terms {
		for _, d := range drafts {
			for _, st := range statuses {
				branches = append(branches, `SELECT id FROM (SELECT c.id FROM `+t.from+` WHERE `+t.sql+` AND c.draft = ? AND c.status = ?`+fc.sql+after+
					` ORDER BY c.id DESC LIMIT ?) b`+strconv.Itoa(len(branches)))
				args = append(append(append(append(args, t.args...), d, st), fc.args...), afterArgs...)
				args = append(args, n)
			}
		}
	}
	page.Items = []cases.Summary{}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		if len(branches) == 0 {
			return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0, "listed 0 of 0")
		}
		rows, err := tx.Query(ctx, `SELECT id FROM (`+strings.Join(branches, " UNION ALL ")+`) u ORDER BY id DESC LIMIT ? OFFSET ?`,
			append(args, f.Limit+1, f.Offset)...)
		if err != nil {
			return classify(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		last := len(ids) <= f.Limit
		if !last {
			ids = ids[:f.Limit]
			page.Next = ids[len(ids)-1]
		}
		if page.Items, err = s.summaries(ctx, tx, ids); err != nil {
			return err
		}
		if last && f.After == 0 && f.Offset == 0 {
			page.Total = len(ids) // the whole listing is on this page
		} else if page.Total, page.TotalCapped, err = s.countListing(ctx, tx, terms, statusIn, statusArgs, fc); err != nil {
			return err
		}
		return s.auditListing(ctx, tx, p, ids, page.Total)
	})
	return page, err
}

// countListing counts the cases of a listing up to cases.MaxTotal: the
// terms are disjoint, so their counts add up; each stops at MaxTotal+1
// matches, read from an index range for the common filters, so that the
// cost of a page does not grow with the caseload.
func (s *Cases) countListing(ctx context.Context, tx *Tx, terms []listTerm, statusIn string, statusArgs []any, fc cond) (int, bool, error) {
	var counts []string
	var cargs []any
	for _, t := range terms {
		counts = append(counts, `(SELECT COUNT(*) FROM (SELECT 1 FROM `+t.from+` WHERE `+t.sql+statusIn+fc.sql+` LIMIT ?) k`+strconv.Itoa(len(counts))+`)`)
		cargs = append(append(append(append(cargs, t.args...), statusArgs...), fc.args...), cases.MaxTotal+1)
	}
	var total int
	if err := tx.QueryRow(ctx, `SELECT `+strings.Join(counts, " + "), cargs...).Scan(&total); err != nil {
		return 0, false, classify(err)
	}
	if total > cases.MaxTotal {
		return cases.MaxTotal, true, nil
	}
	return total, false, nil
}

// auditListing writes the audit entries of a listing: the ids shown, in
// as many entries as the detail's length needs.
func (s *Cases) auditListing(ctx context.Context, tx *Tx, p *auth.Principal, ids []int64, total int) error {
	head := fmt.Sprintf("listed %d of %d", len(ids), total)
	var b strings.Builder
	b.WriteString(head)
	sep := ": "
	for _, id := range ids {
		v := strconv.FormatInt(id, 10)
		if b.Len()+len(sep)+len(v) > audit.MaxDetailLen-64 {
			if err := s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0, b.String()); err != nil {
				return err
			}
			b.Reset()
			b.WriteString(head + " (continued)")
			sep = ": "
		}
		b.WriteString(sep + v)
		sep = ","
	}
	return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0, b.String())
}

// summaries reads the summaries of cases, in the order of ids.
func (s *Cases) summaries(ctx context.Context, q querier, ids []int64) ([]cases.Summary, error) {
	out := make([]cases.Summary, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT c.id, c.kind, c.status, c.org_id, COALESCE(c.team_id, 0), c.owner_id, c.opened_on, c.nationality,
		c.exploitation FROM cases c WHERE c.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	byID := make(map[int64]cases.Summary, len(ids))
	for rows.Next() {
		var sm cases.Summary
		var expl string
		if err := rows.Scan(&sm.CaseID, &sm.Kind, &sm.Status, &sm.OrgID, &sm.TeamID, &sm.OwnerID, &sm.OpenedOn, &sm.Nationality, &expl); err != nil {
			return nil, err
		}
		sm.ExploitationTypes = splitExploitation(expl)
		byID[sm.CaseID] = sm
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if sm, ok := byID[id]; ok {
			out = append(out, sm)
		}
	}
	return out, nil
}

func splitExploitation(s string) []string {
	s = strings.Trim(s, ";")
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// MaxOverdue caps the overdue list.
const MaxOverdue = 1000

// OverdueTasks lists the open tasks past their due date at now (in now's
// location: cases.Task.Overdue) of the cases the caller can read (scope
// and accepted referrals), oldest due first, at most MaxOverdue.
func (s *Cases) OverdueTasks(ctx context.Context, p *auth.Principal, at time.Time) (out []cases.Task, err error) {
	defer derrors.Wrap(&err, "store.Cases.OverdueTasks")
	if p == nil || !p.Can(casesResource, auth.Read) {
		return nil, forbidden(auth.Read)
	}
	sf := p.FilterFor(casesResource, auth.Read)
	scope, args := scopeSQL(sf, casesScope)
	if ref, ok := referredTerm(p, sf); ok {
		scope = "(" + scope + " OR (" + ref.sql + "))"
		args = append(args, ref.args...)
	}
	day := at.Format("2006-01-02")
	out = []cases.Task{}
	err = s.db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+taskColumns+` FROM case_tasks t JOIN cases c ON c.id = t.case_id
			WHERE t.done_on = '' AND t.due < ? AND `+scope+` ORDER BY t.due, t.id LIMIT ?`, append(append([]any{day}, args...), MaxOverdue)...)
		if err != nil {
			return classify(err)
		}
		for rows.Next() {
			t, err := s.scanTask(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0, fmt.Sprintf("overdue tasks: %d listed", len(out)))
	})
	return out, err
}

// Caseload returns the dashboard counts over the cases in the caller's
// record scope (not those referred to it) matching f. Dashboards need the
// read action at team scope or wider (supervisors, organisation and
// system administrators): a case worker's own list is the case list.
func (s *Cases) Caseload(ctx context.Context, p *auth.Principal, f cases.Filter) (cl cases.Caseload, err error) {
	defer derrors.Wrap(&err, "store.Cases.Caseload")
	f.Limit, f.Offset, f.After = 1, 0, 0
	if err := f.Validate(); err != nil {
		return cl, err
	}
	if p == nil || p.Scope(casesResource, auth.Read) < auth.ScopeTeam {
		return cl, derrors.Kindf(derrors.Forbidden, "caseload dashboards need read on cases at team scope or wider")
	}
	scope, args := scopeSQL(p.FilterFor(casesResource, auth.Read), casesScope)
	fc := filterConds(f)
	drafts, statuses := draftsOf(f), statusesOf(f)
	q := `SELECT c.kind, c.status, c.age_band, c.nationality, c.exploitation, COUNT(*) FROM cases c WHERE ` + scope + fc.sql +
		` AND c.draft IN (` + placeholders(len(drafts)) + `) AND c.status IN (` + placeholders(len(statuses)) + `)
		GROUP BY c.kind, c.status, c.age_band, c.nationality, c.exploitation`
	args = append(append(args, fc.args...), drafts...)
	for _, st := range statuses {
		args = append(args, st)
	}
	var groups []caseloadGroup
	err = s.db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return classify(err)
		}
		for rows.Next() {
			var g caseloadGroup
			if err := rows.Scan(&g.kind, &g.status, &g.band, &g.nationality, &g.exploitation, &g.n); err != nil {
				rows.Close()
				return err
			}
			groups = append(groups, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, audit.ActionRead, audit.OutcomeAllowed, 0, "caseload dashboard")
	})
	if err != nil {
		return cl, err
	}
	return summariseGroups(groups), nil
}

type caseloadGroup struct {
	kind, status, band, nationality, exploitation string
	n                                             int
}

// summariseGroups computes what cases.Summarise computes, from grouped
// counts instead of one summary per case.
func summariseGroups(groups []caseloadGroup) cases.Caseload {
	ordered := func(names []string, zeros bool, keys func(caseloadGroup) []string) []cases.Count {
		idx := map[string]int{}
		for i, k := range names {
			idx[k] = i
		}
		counts := make([]int, len(names))
		other := 0
		for _, g := range groups {
			for _, k := range keys(g) {
				if i, ok := idx[k]; ok {
					counts[i] += g.n
				} else {
					other += g.n
				}
			}
		}
		out := []cases.Count{}
		for i, k := range names {
			if zeros || counts[i] > 0 {
				out = append(out, cases.Count{Key: k, N: counts[i]})
			}
		}
		if other > 0 {
			if i := slices.IndexFunc(out, func(c cases.Count) bool { return c.Key == cases.Unknown }); i >= 0 {
				out[i].N += other
			} else {
				out = append(out, cases.Count{Key: cases.Unknown, N: other})
			}
		}
		return out
	}
	var cl cases.Caseload
	for _, g := range groups {
		cl.Total += g.n
	}
	cl.ByStatus = ordered(cases.CaseStatuses, true, func(g caseloadGroup) []string { return []string{g.status} })
	cl.ByKind = ordered(cases.Kinds, true, func(g caseloadGroup) []string { return []string{g.kind} })
	cl.ByExploitation = ordered(cases.ExploitationTypes, false, func(g caseloadGroup) []string {
		if g.kind != cases.KindTrafficking {
			return nil
		}
		if ts := splitExploitation(g.exploitation); len(ts) > 0 {
			return ts
		}
		return []string{cases.Unknown}
	})
	bands := make([]string, 0, len(cases.AgeBands)+1)
	for _, b := range cases.AgeBands {
		bands = append(bands, b.Name)
	}
	cl.ByAgeBand = ordered(append(bands, cases.Unknown), true, func(g caseloadGroup) []string { return []string{g.band} })
	nat := map[string]int{}
	for _, g := range groups {
		k := g.nationality
		if k == "" {
			k = cases.Unknown
		}
		nat[k] += g.n
	}
	cl.ByNationality = []cases.Count{}
	for k, v := range nat {
		if k != cases.Unknown {
			cl.ByNationality = append(cl.ByNationality, cases.Count{Key: k, N: v})
		}
	}
	slices.SortFunc(cl.ByNationality, func(a, b cases.Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	if v := nat[cases.Unknown]; v > 0 {
		cl.ByNationality = append(cl.ByNationality, cases.Count{Key: cases.Unknown, N: v})
	}
	return cl
}

// exportBatch is how many cases an export reads at a time.
const exportBatch = 200

// Export streams the cases in the caller's record scope for exporting
// (not those referred to it) matching f, oldest first, with the columns e
// allows narrowed to what the caller may see: the identity and narrative
// columns need the export action on people, and a row's person columns
// are filled only when that person is within the caller's people-export
// scope. The export is audited before the first row (what was asked) and
// after the last (how many rows).
func (s *Cases) Export(ctx context.Context, p *auth.Principal, f cases.Filter, e cases.Export,
	header func([]string) error, row func([]string) error) (err error) {
	defer derrors.Wrap(&err, "store.Cases.Export")
	f.Limit, f.Offset, f.After = 1, 0, 0
	if err := f.Validate(); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if p == nil || !p.Can(casesResource, auth.Export) {
		return forbidden(auth.Export)
	}
	peopleExport := p.Can("people", auth.Export)
	e.Visibility.Identity = e.Visibility.Identity && peopleExport
	e.Visibility.Narrative = e.Visibility.Narrative && peopleExport
	if e.Kind != "" && f.Kind != "" && e.Kind != f.Kind {
		return &cases.FieldError{Field: "kind", Code: "kindMismatch", Msg: "the export's kind and the filter's kind differ"}
	}
	if e.Kind != "" {
		f.Kind = e.Kind
	}
	scope, sargs := scopeSQL(p.FilterFor(casesResource, auth.Export), casesScope)
	fc := filterConds(f)
	drafts, statuses := draftsOf(f), statusesOf(f)
	where := scope + fc.sql + ` AND c.draft IN (` + placeholders(len(drafts)) + `) AND c.status IN (` + placeholders(len(statuses)) + `)`
	args := append(append(sargs, fc.args...), drafts...)
	for _, st := range statuses {
		args = append(args, st)
	}
	what := fmt.Sprintf("export started: kind %q, status %q, identity %t, profile %t, narrative %t",
		e.Kind, f.Status, e.Visibility.Identity, e.Visibility.Profile, e.Visibility.Narrative)
	if err := s.db.InTx(ctx, func(tx *Tx) error {
		return s.audit(ctx, tx, p, audit.ActionExport, audit.OutcomeAllowed, 0, what)
	}); err != nil {
		return err
	}
	rowsOut := 0
	finish := func(outcome string) {
		_ = s.db.InTx(context.WithoutCancel(ctx), func(tx *Tx) error {
			return s.audit(ctx, tx, p, audit.ActionExport, outcome, 0, fmt.Sprintf("export finished: %d cases", rowsOut))
		})
	}
	if err := header(e.Header()); err != nil {
		finish(audit.OutcomeFailed)
		return err
	}
	q := poolQuerier{s.db}
	var last int64
	for {
		batch, err := s.exportBatch(ctx, q, where, args, last)
		if err != nil {
			finish(audit.OutcomeFailed)
			return err
		}
		if len(batch) == 0 {
			break
		}
		persons := map[int64]*people.Person{}
		if e.Visibility.Identity || e.Visibility.Profile {
			if persons, err = s.exportPeople(ctx, q, p, batch); err != nil {
				finish(audit.OutcomeFailed)
				return err
			}
		}
		for _, c := range batch {
			refs, err := s.referrals(ctx, q, c.ID)
			if err != nil {
				finish(audit.OutcomeFailed)
				return err
			}
			cells, err := e.Row(c, persons[c.PersonID], refs)
			if err != nil {
				finish(audit.OutcomeFailed)
				return err
			}
			if err := row(cells); err != nil {
				finish(audit.OutcomeFailed)
				return err
			}
			rowsOut++
		}
		last = batch[len(batch)-1].ID
	}
	finish(audit.OutcomeOK)
	return nil
}

func (s *Cases) exportBatch(ctx context.Context, q querier, where string, args []any, after int64) ([]cases.Case, error) {
	rows, err := q.Query(ctx, `SELECT `+caseColumns+` FROM cases c WHERE `+where+` AND c.id > ? ORDER BY c.id LIMIT ?`,
		append(slices.Clone(args), after, exportBatch)...)
	if err != nil {
		return nil, err
	}
	var out []cases.Case
	for rows.Next() {
		c, err := s.scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Return != nil {
			if out[i].Return.Monitoring, err = s.monitoring(ctx, q, out[i].ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// exportPeople decrypts the people of a batch that the caller may export.
func (s *Cases) exportPeople(ctx context.Context, q querier, p *auth.Principal, batch []cases.Case) (map[int64]*people.Person, error) {
	out := map[int64]*people.Person{}
	var args []any
	seen := map[int64]bool{}
	for _, c := range batch {
		if !seen[c.PersonID] {
			seen[c.PersonID] = true
			args = append(args, c.PersonID)
		}
	}
	rows, err := q.Query(ctx, `SELECT `+personColumns+` FROM people WHERE id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ppl := s.db.People()
	for rows.Next() {
		pr, err := ppl.scan(rows)
		if err != nil {
			return nil, err
		}
		if p.Allows("people", auth.Export, pr.Record()) {
			out[pr.ID] = &pr
		}
	}
	return out, rows.Err()
}

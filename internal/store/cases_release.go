package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/cases"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/release"
)

// ReleaseCount says which cases a release source took and which it left
// out, and why.
type ReleaseCount struct {
	// Cases are the non-draft counter-trafficking cases in scope.
	Cases int `json:"cases"`
	// Included are the cases whose rows were returned.
	Included int `json:"included"`
	// NoConsent: consent to statistical use never recorded, or refused.
	NoConsent int `json:"noConsent"`
	// Withdrawn: consent to statistical use given, then withdrawn.
	Withdrawn int `json:"withdrawn"`
	// NotVictim: cases whose person was found not to be a victim
	// (vic_TraffickingStatus NotAVictimOfTrafficking), which CTDC's
	// victim data does not hold.
	NotVictim int `json:"notVictim"`
}

// ReleaseSource returns the input of a public release: one row of
// release.CTDCColumns (release.CTDCRow) per non-draft counter-trafficking
// case in the caller's export scope on cases (not those referred to it)
// whose person's consent to data use for statistics is in force today
// (the latest record of that type, by date then id, is a consent, not a
// withdrawal or refusal), in case id order, with the counts of the cases
// left out. Persons found not to be victims are left out too (counted).
// Rows hold coded values only: no name, document, date of birth or free
// text leaves the store, and only the date of birth, sex and
// nationality of each person are decrypted or read.
//
// It needs create on releases (a data publisher: the cases within that
// grant's scope, e.g. its organisation's) or export on cases (the cases
// within the export scope); with both, the wider scope applies. Without
// either it returns derrors.Forbidden. It is audited as one export entry
// naming the counts (outcome failed when the read fails).
func (s *Cases) ReleaseSource(ctx context.Context, p *auth.Principal) (rows [][]string, counted ReleaseCount, err error) {
	defer derrors.Wrap(&err, "store.Cases.ReleaseSource")
	f, ok := releaseSourceFilter(p)
	if !ok {
		return nil, counted, derrors.Kindf(derrors.Forbidden, "your roles allow neither create on releases nor export on cases")
	}
	scope, args := scopeSQL(f, casesScope)
	where := scope + ` AND c.kind = ? AND c.draft = ?`
	args = append(args, cases.KindTrafficking, false)
	rows, counted, err = s.releaseRows(ctx, where, args)
	outcome, detail := audit.OutcomeOK, fmt.Sprintf("release source: %d cases, %d included, %d without consent, %d consent withdrawn, %d not victims",
		counted.Cases, counted.Included, counted.NoConsent, counted.Withdrawn, counted.NotVictim)
	if err != nil {
		outcome, detail = audit.OutcomeFailed, "release source failed"
	}
	if aerr := s.db.InTx(context.WithoutCancel(ctx), func(tx *Tx) error {
		return s.audit(ctx, tx, p, audit.ActionExport, outcome, 0, detail)
	}); err == nil && aerr != nil {
		return nil, ReleaseCount{}, aerr
	}
	if err != nil {
		return nil, ReleaseCount{}, err
	}
	return rows, counted, nil
}

// releaseSourceFilter is the scope of cases a release may be built from:
// that of create on releases or of export on cases, whichever is wider.
// A publisher's grant on releases is applied to the cases' own
// organisation, team and owner columns, so an organisation-wide publisher
// reads its organisation's cases, never another's.
func releaseSourceFilter(p *auth.Principal) (auth.Filter, bool) {
	if p == nil {
		return auth.Filter{None: true}, false
	}
	rel, exp := p.Scope(releasesResource, auth.Create), p.Scope(casesResource, auth.Export)
	switch {
	case rel == auth.ScopeNone && exp == auth.ScopeNone:
		return auth.Filter{None: true}, false
	case rel > exp:
		return p.FilterFor(releasesResource, auth.Create), true
	}
	return p.FilterFor(casesResource, auth.Export), true
}

// releaseRows reads the cases matching where in batches.
func (s *Cases) releaseRows(ctx context.Context, where string, args []any) ([][]string, ReleaseCount, error) {
	var out [][]string
	var n ReleaseCount
	q := poolQuerier{s.db}
	today := now().Format("2006-01-02")
	var last int64
	for {
		batch, err := s.releaseBatch(ctx, q, where, args, last)
		if err != nil || len(batch) == 0 {
			return out, n, err
		}
		ids := personIDs(batch)
		persons, err := s.releasePeople(ctx, q, ids)
		if err != nil {
			return nil, n, err
		}
		consents, err := s.statisticsConsents(ctx, q, ids)
		if err != nil {
			return nil, n, err
		}
		for _, c := range batch {
			n.Cases++
			switch {
			case c.Trafficking == nil || c.Trafficking.TraffickingStatus == "NotAVictimOfTrafficking":
				n.NotVictim++
			case !cases.UsableForStatistics(consents[c.PersonID], today):
				if withdrawn(consents[c.PersonID], today) {
					n.Withdrawn++
				} else {
					n.NoConsent++
				}
			default:
				out = append(out, release.CTDCRow(c, persons[c.PersonID]))
				n.Included++
			}
		}
		last = batch[len(batch)-1].ID
	}
}

// withdrawn reports whether consent to statistical use not in force on
// date had been given before (a withdrawal rather than a refusal).
func withdrawn(consents []cases.Consent, date string) bool {
	return slices.ContainsFunc(consents, func(c cases.Consent) bool { return c.Given && c.Date <= date })
}

func (s *Cases) releaseBatch(ctx context.Context, q querier, where string, args []any, after int64) ([]cases.Case, error) {
	rows, err := q.Query(ctx, `SELECT `+caseColumns+` FROM cases c WHERE `+where+` AND c.id > ? ORDER BY c.id LIMIT ?`,
		append(slices.Clone(args), after, exportBatch)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Case
	for rows.Next() {
		c, err := s.scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func personIDs(batch []cases.Case) []any {
	var out []any
	seen := map[int64]bool{}
	for _, c := range batch {
		if !seen[c.PersonID] {
			seen[c.PersonID] = true
			out = append(out, c.PersonID)
		}
	}
	return out
}

// releasePeople reads the three person fields CTDC rows use; names and
// document numbers are not even decrypted.
func (s *Cases) releasePeople(ctx context.Context, q querier, ids []any) (map[int64]people.Person, error) {
	rows, err := q.Query(ctx, `SELECT id, birth_date_enc, sex, nationality FROM people WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]people.Person, len(ids))
	for rows.Next() {
		var pr people.Person
		var birth string
		if err := rows.Scan(&pr.ID, &birth, &pr.Sex, &pr.Nationality); err != nil {
			return nil, err
		}
		sl, err := s.db.sealer("people", pr.ID)
		if err != nil {
			return nil, err
		}
		if pr.BirthDate = sl.open("birth_date", birth); sl.err != nil {
			return nil, sl.err
		}
		out[pr.ID] = pr
	}
	return out, rows.Err()
}

// statisticsConsents reads the consent records to statistical use of
// people, without their notes.
func (s *Cases) statisticsConsents(ctx context.Context, q querier, ids []any) (map[int64][]cases.Consent, error) {
	rows, err := q.Query(ctx, `SELECT id, person_id, given, consent_date FROM case_consents
		WHERE type = ? AND person_id IN (`+placeholders(len(ids))+`)`, append([]any{cases.ConsentStatistics}, ids...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]cases.Consent{}
	for rows.Next() {
		c := cases.Consent{Type: cases.ConsentStatistics}
		if err := rows.Scan(&c.ID, &c.PersonID, &c.Given, &c.Date); err != nil {
			return nil, err
		}
		out[c.PersonID] = append(out[c.PersonID], c)
	}
	return out, rows.Err()
}

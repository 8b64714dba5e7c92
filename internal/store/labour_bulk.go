package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
)

// BulkLoadLabour stores a benchmark population (corridor labour generate)
// in one transaction: workers registered by orgWorkers, vacancies posted
// by orgVacancies, both by user, with explicit ids after the current
// maximum so that personal fields are sealed as the rows are written
// (multi-row INSERTs; no per-row round trip). Every record is validated
// as CreateWorker and CreateVacancy do (shapes; the generator draws
// occupations and skills from the imported taxonomy). One audit entry
// records the load.
func (db *DB) BulkLoadLabour(ctx context.Context, user, orgWorkers, orgVacancies int64, ws []labour.Worker, vs []labour.Vacancy) (err error) {
	defer derrors.Wrap(&err, "store.BulkLoadLabour")
	if _, err := db.keyring(); err != nil {
		return err
	}
	for i, w := range ws {
		if err := w.Check().Err(); err != nil {
			return fmt.Errorf("worker %d: %w", i, err)
		}
	}
	for i := range vs {
		vs[i].OrgID = orgVacancies
		if err := vs[i].Publishable().Err(); err != nil {
			return fmt.Errorf("vacancy %d: %w", i, err)
		}
	}
	var wBase, vBase int64
	for t, dst := range map[string]*int64{"labour_workers": &wBase, "labour_vacancies": &vBase} {
		if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+t).Scan(dst); err != nil {
			return classify(err)
		}
	}
	t := now()
	sealed := make([]string, len(ws))
	for i := range ws {
		ws[i].ID = wBase + int64(i) + 1
		sl, err := db.sealer("labour_workers", ws[i].ID)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(personalOf(ws[i]))
		if sealed[i] = sl.seal("personal", string(b)); sl.err != nil {
			return sl.err
		}
	}
	keyID := ""
	if k, err := db.keyring(); err == nil {
		keyID = k.ActiveKeyID()
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		err := insertRows(ctx, tx, `INSERT INTO labour_workers (id, org_id, owner_id, status, consent_matching, consent_share, consent_date, consent_by,
			personal_enc, key_id, origin, occupations, skills, languages, education, experience_years, available_from, preferred, version, created_at, updated_at)`,
			"", 21, len(ws), func(i int, args []any) []any {
				w := ws[i]
				return append(args, w.ID, orgWorkers, user, labour.WorkerActive, true, w.Consent.ShareWithEmployers, w.Consent.Date, w.Consent.RecordedBy,
					sealed[i], keyID, w.Origin, jsonText(nonNil(w.Occupations)), jsonText(nonNil(w.Skills)), jsonText(nonNil(w.Languages)),
					w.Education, w.ExperienceYears, w.AvailableFrom, jsonText(nonNil(w.PreferredDestinations)), 1, t, t)
			})
		if err != nil {
			return err
		}
		err = insertRows(ctx, tx, `INSERT INTO labour_vacancies (id, org_id, status, title, description, destination, place, isco, occupation, sector,
			positions, filled, essential_skills, optional_skills, languages, education, qualifications, experience_years, monthly_wage, currency,
			hours_per_week, contract_months, housing, channel_kind, channel_name, employer_pays, worker_fee, fee_note, start_date,
			version, created_by, created_at, published_at)`, "", 33, len(vs), func(i int, args []any) []any {
			v := vs[i]
			vs[i].ID = vBase + int64(i) + 1
			return append(args, vs[i].ID, orgVacancies, labour.VacancyPublished, v.Title, v.Description, v.Destination, v.Place, v.ISCO, v.Occupation,
				v.Sector, v.Positions, 0, jsonText(nonNil(v.Essential)), jsonText(nonNil(v.Optional)), jsonText(nonNil(v.Languages)), v.Education,
				v.Qualifications, v.ExperienceYears, v.MonthlyWage, v.Currency, v.HoursPerWeek, v.ContractMonths, v.Housing, v.Channel.Kind,
				v.Channel.Name, true, 0.0, "", v.StartDate, 1, user, t, t)
		})
		if err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, "labour"); err != nil {
			return err
		}
		_, err = db.Audit().AppendTx(ctx, tx, audit.Entry{ActorID: user, ActorName: "corridor labour generate", OrgID: orgWorkers,
			Action: audit.ActionCreate, Resource: workersResource, Outcome: audit.OutcomeOK,
			Detail: fmt.Sprintf("benchmark population: %d synthetic workers, %d vacancies", len(ws), len(vs))})
		return err
	})
	if err != nil {
		return err
	}
	if db.dialect.isPostgres() {
		for _, tb := range []string{"labour_workers", "labour_vacancies"} {
			if _, err := db.sql.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+tb+`', 'id'), (SELECT COALESCE(MAX(id), 1) FROM `+tb+`))`); err != nil {
				return classify(err)
			}
		}
	}
	return nil
}

package api

import (
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

func sortRoles(rs []auth.Role) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
}

// ---- audit

// auditFilter reads the audit viewer's query parameters. An organisation
// administrator sees only entries of their organisation.
func (a *API) auditFilter(r *http.Request, action string) (audit.Filter, error) {
	q := newQuery(r)
	f := audit.Filter{
		Action: q.str("action", 64), Resource: q.str("resource", 64), RecordID: q.str("recordId", 128),
		Outcome: q.str("outcome", 64), Limit: q.intRange("limit", audit.DefaultLimit, 1, audit.MaxLimit),
	}
	f.AfterSeq = int64(q.intRange("afterSeq", 0, 0, 1<<62))
	f.BeforeSeq = int64(q.intRange("beforeSeq", 0, 0, 1<<62))
	f.Desc = q.str("order", 4) != "asc"
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.str(t.name, 40); s != "" {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				q.fail(t.name, "must be an RFC 3339 time, e.g. 2026-11-27T10:00:00Z")
			}
			*t.dst = v
		}
	}
	if s := q.str("actorId", 20); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			q.fail("actorId", "must be a whole number")
		}
		f.ActorID = &v
	}
	if err := q.done(); err != nil {
		return f, err
	}
	p := web.PrincipalFrom(r.Context())
	if p.Scope("audit", action) < auth.ScopeAll {
		org := p.OrgID
		f.OrgID = &org
	}
	return f, f.Validate()
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	f, err := a.auditFilter(r, auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	entries, err := a.db.Audit().List(r.Context(), f)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := map[string]any{"items": entries}
	if len(entries) == f.Limit {
		next := f.Next(entries[len(entries)-1])
		out["nextBeforeSeq"], out["nextAfterSeq"] = next.BeforeSeq, next.AfterSeq
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (a *API) exportAudit(w http.ResponseWriter, r *http.Request) {
	f, err := a.auditFilter(r, auth.Export)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	f.Desc, f.Limit = false, audit.MaxLimit
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="corridor-audit.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "time", "actorId", "actorName", "orgId", "action", "resource", "recordId", "outcome", "clientAddr", "detail", "prevHash", "hash"})
	for {
		entries, err := a.db.Audit().List(r.Context(), f)
		if err != nil {
			a.log.Error("audit export failed mid-way", "err", err)
			return
		}
		for _, e := range entries {
			cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.Time.Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
				csvSafe(e.ActorName), strconv.FormatInt(e.OrgID, 10), e.Action, e.Resource, csvSafe(e.RecordID), e.Outcome,
				e.ClientAddr, csvSafe(e.Detail), e.PrevHash, e.Hash})
		}
		if len(entries) < f.Limit {
			break
		}
		f = f.Next(entries[len(entries)-1])
	}
	cw.Flush()
}

// csvSafe defuses spreadsheet formula injection in exported cells.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func (a *API) verifyAudit(w http.ResponseWriter, r *http.Request) {
	res, err := a.db.Audit().Verify(r.Context(), nil)
	out := map[string]any{"ok": err == nil, "count": res.Count, "head": res.Head}
	if err != nil {
		out["error"] = err.Error()
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// ---- people

// PeopleList is a page of personal records.
type PeopleList struct {
	Items  []people.Person `json:"items"`
	Total  int             `json:"total"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
}

func (a *API) listPeople(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	pq := store.PeopleQuery{Name: q.str("name", 200), DocumentNumber: q.str("documentNumber", 64),
		Limit: q.intRange("limit", 50, 1, 500), Offset: q.intRange("offset", 0, 0, 1_000_000)}
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	list, total, err := a.db.People().List(r.Context(), web.PrincipalFrom(r.Context()).FilterFor("people", auth.Read), pq)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteDetail(r, "listed "+strconv.Itoa(len(list))+" of "+strconv.Itoa(total))
	ids := make([]string, len(list))
	for i, p := range list {
		ids[i] = strconv.FormatInt(p.ID, 10)
	}
	web.NoteRecords(r, ids)
	web.WriteJSON(w, http.StatusOK, PeopleList{Items: list, Total: total, Limit: pq.Limit, Offset: pq.Offset})
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) {
	var p people.Person
	if err := decodeJSON(r, &p); err != nil {
		a.problem(w, r, err)
		return
	}
	me := web.PrincipalFrom(r.Context())
	p.OrgID, p.OwnerID, p.ID = me.OrgID, me.UserID, 0
	if p.TeamID == 0 && len(me.TeamIDs) == 1 {
		// A record belongs to its creator's team when they have one, so
		// that the team's supervisors see it.
		p.TeamID = me.TeamIDs[0]
	}
	if p.TeamID != 0 && !contains(me.TeamIDs, p.TeamID) && me.Scope("people", auth.Create) < auth.ScopeOrg {
		a.problem(w, r, &web.ParamError{Param: "teamId", Reason: "you are not in that team"})
		return
	}
	err := a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		p, err = a.db.People().Create(r.Context(), tx, p)
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.NoteRecord(r, strconv.FormatInt(p.ID, 10))
	web.WriteJSON(w, http.StatusCreated, p)
}

func contains(s []int64, v int64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (a *API) personInScope(r *http.Request, action string) (people.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return people.Person{}, err
	}
	p, err := a.db.People().Get(r.Context(), id)
	if err != nil {
		return p, err
	}
	return p, allowRecord(r, "people", action, p.Record(), "person")
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) {
	p, err := a.personInScope(r, auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, p)
}

func (a *API) updatePerson(w http.ResponseWriter, r *http.Request) {
	cur, err := a.personInScope(r, auth.Update)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var p people.Person
	if err := decodeJSON(r, &p); err != nil {
		a.problem(w, r, err)
		return
	}
	if p.Version == 0 {
		a.problem(w, r, &web.ParamError{Param: "version", Reason: "required: the version you loaded (optimistic concurrency)"})
		return
	}
	p.ID, p.OrgID, p.OwnerID, p.CreatedAt = cur.ID, cur.OrgID, cur.OwnerID, cur.CreatedAt
	err = a.inTx(r.Context(), func(tx *store.Tx) (err error) {
		p, err = a.db.People().Update(r.Context(), tx, p)
		return err
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, p)
}

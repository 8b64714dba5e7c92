package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corridor-platform/corridor/internal/labour"
	"github.com/corridor-platform/corridor/internal/labour/match"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/web"
)

// Recruitment drives: the list with the form to start one, and a drive's
// page with the optimal assignment and the pipeline board (a column per
// stage, a card per application with the form to move it on).

func driveURL(id int64) string { return "/labour/drives/" + idString(id) }

type driveRow struct {
	URL, Name, Created string
	Vacancies          int
	Planned            bool
	Total, Greedy      int
}

type driveVacancyOption struct {
	ID      int64
	Title   string
	Checked bool
}

type drivesPage struct {
	Form      *form
	Rows      []driveRow
	Vacancies []driveVacancyOption
	Name      string
	Origins   string
}

func (u *UI) drivesData(r *http.Request, v *view, checked []int64) (drivesPage, error) {
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	var p drivesPage
	ds, err := u.db.Labour().Drives(ctx, me)
	if err != nil {
		return p, err
	}
	for _, d := range ds {
		row := driveRow{URL: driveURL(d.ID), Name: d.Name, Created: d.CreatedAt.UTC().Format("2006-01-02"), Vacancies: len(d.Vacancies)}
		if d.Plan != nil {
			row.Planned, row.Total, row.Greedy = true, d.Plan.Total, d.Plan.GreedyTotal
		}
		p.Rows = append(p.Rows, row)
	}
	if me.OrgID != 0 {
		vs, _, err := u.db.Labour().Vacancies(ctx, me, store.VacancyFilter{Status: labour.VacancyPublished, OrgID: me.OrgID, Limit: 200})
		if err != nil {
			return p, err
		}
		for _, vc := range vs {
			p.Vacancies = append(p.Vacancies, driveVacancyOption{ID: vc.ID, Title: vc.Title + " (" + vc.Place + ")", Checked: slices.Contains(checked, vc.ID)})
		}
	}
	return p, nil
}

func (u *UI) drivesList(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.drivesData(r, v, nil)
	if err != nil {
		return err
	}
	p.Form = &form{}
	v.Title, v.Data = v.T("labour.drives.title"), p
	return u.render(w, http.StatusOK, "labour_drives", v)
}

// formIDs reads the ids of repeated form values.
func formIDs(vals []string) ([]int64, bool) {
	var out []int64
	for _, s := range vals {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return nil, false
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, true
}

// driveCreate starts a drive over the chosen vacancies; workers chosen on
// a candidates page are shortlisted in it at once.
func (u *UI) driveCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	lf := newLabourForm(v, "drive")
	lf.register(map[string]string{"name": "labour.field.driveName", "vacancies": "labour.field.driveVacancies", "origins": "labour.field.driveOrigins"})
	lf.alias["origins"] = "origins"
	vacancies, ok := formIDs(r.PostForm["vacancy"])
	if !ok {
		lf.bad("vacancies", "form.reason.choice")
	}
	workers, ok := formIDs(r.PostForm["worker"])
	if !ok {
		return &paramError{Param: "worker", ReasonID: "form.reason.choice"}
	}
	d := labour.Drive{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	d.Vacancies = vacancies
	for _, o := range strings.FieldsFunc(strings.ToUpper(r.PostForm.Get("origins")), func(c rune) bool { return c == ',' || c == ' ' || c == ';' }) {
		d.Origins = append(d.Origins, o)
	}
	if lf.f.OK() {
		lf.problems(d.Check())
	}
	if lf.f.OK() {
		created, err := u.db.Labour().CreateDrive(labourCtx(r), me, d)
		switch {
		case err == nil:
			web.SkipAudit(r)
			if len(workers) == 0 {
				return seeOther(w, r, driveURL(created.ID)+"?saved=created")
			}
			var pairs []match.Pair
			for _, wid := range workers {
				pairs = append(pairs, match.Pair{WorkerID: wid, VacancyID: vacancies[0]})
			}
			if _, err := u.db.Labour().Shortlist(labourCtx(r), me, created.ID, pairs, ""); err != nil {
				if !storeRefusal(err) {
					return err
				}
				return u.renderDrive(w, r, v, created.ID, statusOf(err), v.storeMessage(err), 0)
			}
			return seeOther(w, r, driveURL(created.ID)+"?saved=shortlisted")
		case !lf.storeError(err):
			return err
		}
	}
	p, err := u.drivesData(r, v, vacancies)
	if err != nil {
		return err
	}
	p.Form, p.Name, p.Origins = lf.f, r.PostForm.Get("name"), r.PostForm.Get("origins")
	v.Title, v.Data = v.T("labour.drives.title"), p
	return u.render(w, http.StatusBadRequest, "labour_drives", v)
}

// ---- one drive

type planPairView struct {
	Worker, Vacancy string
	Score           int
	Alternatives    []string
}

type stageOption struct {
	Value, Label string
}

type moduleView struct {
	Name, Label, Date string
	Attended          bool
}

type appCard struct {
	ID                int64
	Ref, Name         string
	Vacancy           string
	Score             int
	LastDate, LastOrg string
	LastNote          string
	Version           int64
	Active            bool
	Next              []stageOption
	Orientation       []moduleView
	ShowOrientation   bool
	OrientationDone   bool
	Problem           string
	HistoryText       []string
}

type boardColumn struct {
	Stage, Label string
	Cards        []appCard
}

type drivePageData struct {
	ID            int64
	Name          string
	Vacancies     []vacancyRow
	Origins       string
	Planned       bool
	Total, Greedy int
	Gain          string
	Pairs         []planPairView
	PlannedAt     string
	Columns       []boardColumn
	Applications  int
	Saved         string
	Problem       string
	ProblemCard   int64
	Today         string
	APIURL        string
}

func (u *UI) drivePage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "drive")
	if err != nil {
		return err
	}
	return u.renderDrive(w, r, v, id, http.StatusOK, "", 0)
}

// renderDrive shows a drive's page, with a problem of the last form (on
// the card of application card when not 0).
func (u *UI) renderDrive(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, problem string, card int64) error {
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	l := u.db.Labour()
	d, apps, err := l.Board(ctx, me, id)
	if err != nil {
		return err
	}
	names, err := u.labourNames(ctx)
	if err != nil {
		return err
	}
	p := drivePageData{ID: d.ID, Name: d.Name, Today: today(), Problem: problem, ProblemCard: card, Applications: len(apps),
		APIURL: "/api/v1/drives/" + idString(id)}
	if problem == "" {
		switch s := r.URL.Query().Get("saved"); s {
		case "created", "shortlisted", "assigned", "moved", "attended":
			p.Saved = s
		}
	}
	var origins []string
	for _, o := range d.Origins {
		origins = append(origins, countryLabel(names, o))
	}
	p.Origins = strings.Join(origins, ", ")
	titles := map[int64]string{}
	for _, vid := range d.Vacancies {
		vc, err := l.Vacancy(ctx, me, vid)
		if err != nil {
			continue // withdrawn from sight: the drive still names it
		}
		titles[vid] = vc.Title
		p.Vacancies = append(p.Vacancies, vacancyRow{ID: vc.ID, Title: vc.Title, StatusLabel: v.label("labour.status", vc.Status, vc.Status),
			Destination: countryLabel(names, vc.Destination), Place: vc.Place, Positions: vc.Positions, Filled: vc.Filled,
			CandidatesURL: "/labour/vacancies/" + idString(vc.ID) + "/candidates"})
	}
	vacancyTitle := func(vid int64) string {
		if t := titles[vid]; t != "" {
			return t
		}
		return "#" + idString(vid)
	}
	if d.Plan != nil {
		p.Planned, p.Total, p.Greedy = true, d.Plan.Total, d.Plan.GreedyTotal
		p.PlannedAt = d.Plan.PlannedAt.UTC().Format("2006-01-02 15:04 UTC")
		if d.Plan.GreedyTotal > 0 {
			p.Gain = v.num(float64(d.Plan.Total-d.Plan.GreedyTotal)/float64(d.Plan.GreedyTotal)*100, 1)
		}
		pairs, alts, err := l.StoredAssignment(ctx, me, id)
		if err != nil {
			return err
		}
		for _, pr := range pairs {
			pv := planPairView{Worker: labour.Worker{ID: pr.WorkerID}.Reference(), Vacancy: vacancyTitle(pr.VacancyID), Score: pr.Score}
			for _, a := range alts[pr.WorkerID] {
				t := v.T("labour.plan.alternative", "Name", vacancyTitle(a.VacancyID), "Number", a.Score)
				if a.Full {
					t += " " + v.T("labour.plan.full")
				}
				pv.Alternatives = append(pv.Alternatives, t)
			}
			p.Pairs = append(p.Pairs, pv)
		}
	}
	// The board: a column per stage, then the end stages.
	cols := map[string]*boardColumn{}
	for _, s := range append(slices.Clone(labour.Stages), labour.EndStages...) {
		p.Columns = append(p.Columns, boardColumn{Stage: s, Label: v.label("labour.stage", s, s)})
	}
	for i := range p.Columns {
		cols[p.Columns[i].Stage] = &p.Columns[i]
	}
	for _, a := range apps {
		c := appCard{ID: a.ID, Ref: labour.Worker{ID: a.WorkerID}.Reference(), Vacancy: vacancyTitle(a.VacancyID), Score: a.Score,
			Version: a.Version, Active: a.Active(), OrientationDone: a.OrientationComplete()}
		if wk, acc, err := l.Worker(labourCtx(r), me, a.WorkerID); err == nil && acc >= store.WorkerShared {
			c.Name = strings.TrimSpace(wk.GivenName + " " + wk.FamilyName)
		}
		if n := len(a.Events); n > 0 {
			last := a.Events[n-1]
			c.LastDate, c.LastOrg, c.LastNote = last.Date, last.OrgName, last.Note
		}
		for _, ev := range a.Events {
			c.HistoryText = append(c.HistoryText, v.T("labour.board.event", "Name", v.label("labour.stage", ev.Stage, ev.Stage), "Time", ev.Date, "Value", ev.OrgName))
		}
		if c.Active {
			if next := labour.NextStage(a.Stage); next != "" {
				c.Next = append(c.Next, stageOption{next, v.label("labour.stage", next, next)})
			}
			if a.Stage == labour.StageShortlisted {
				c.Next = append(c.Next, stageOption{labour.StageOffered, v.label("labour.stage", labour.StageOffered, labour.StageOffered)})
			}
			for _, e := range labour.EndStages {
				c.Next = append(c.Next, stageOption{e, v.label("labour.stage", e, e)})
			}
		}
		if a.Stage == labour.StagePreDeparture {
			c.ShowOrientation = true
			for _, m := range a.Orientation {
				c.Orientation = append(c.Orientation, moduleView{Name: m.Name, Label: v.label("labour.module", m.Name, m.Name), Date: m.Date, Attended: m.Attended})
			}
		}
		if a.ID == card {
			c.Problem = problem
		}
		if col := cols[a.Stage]; col != nil {
			col.Cards = append(col.Cards, c)
		}
	}
	v.Title, v.Data = d.Name, p
	return u.render(w, status, "labour_drive", v)
}

func (u *UI) driveAssign(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "drive")
	if err != nil {
		return err
	}
	if _, err := u.db.Labour().Assign(labourCtx(r), web.PrincipalFrom(r.Context()), id); err != nil {
		if !storeRefusal(err) {
			return err
		}
		return u.renderDrive(w, r, v, id, statusOf(err), v.storeMessage(err), 0)
	}
	web.SkipAudit(r)
	return seeOther(w, r, driveURL(id)+"?saved=assigned#drive-plan")
}

func (u *UI) driveShortlist(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "drive")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	date := strings.TrimSpace(r.PostForm.Get("date"))
	if _, err := u.db.Labour().Shortlist(labourCtx(r), web.PrincipalFrom(r.Context()), id, nil, date); err != nil {
		if !storeRefusal(err) {
			return err
		}
		return u.renderDrive(w, r, v, id, statusOf(err), v.storeMessage(err), 0)
	}
	web.SkipAudit(r)
	return seeOther(w, r, driveURL(id)+"?saved=shortlisted#drive-board")
}

func (u *UI) applicationMove(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "application")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	a, err := u.db.Labour().Application(ctx, me, id)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	_, err = u.db.Labour().Move(labourCtx(r), me, id, version, r.PostForm.Get("stage"), strings.TrimSpace(r.PostForm.Get("date")),
		strings.TrimSpace(r.PostForm.Get("note")))
	if err != nil {
		if !storeRefusal(err) {
			return err
		}
		return u.renderDrive(w, r, v, a.DriveID, statusOf(err), v.storeMessage(err), id)
	}
	web.SkipAudit(r)
	return seeOther(w, r, driveURL(a.DriveID)+"?saved=moved#app-"+idString(id))
}

// applicationAttend records the modules ticked (and unticked) on a card:
// one store call per module whose attendance changed.
func (u *UI) applicationAttend(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := labourPathID(r, "application")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	me := web.PrincipalFrom(ctx)
	a, err := u.db.Labour().Application(ctx, me, id)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if version != a.Version {
		return u.renderDrive(w, r, v, a.DriveID, http.StatusConflict, v.T("labour.error.stale"), id)
	}
	driveID := a.DriveID
	ticked := r.PostForm["module"]
	date := strings.TrimSpace(r.PostForm.Get("date"))
	for _, m := range a.Orientation {
		want := slices.Contains(ticked, m.Name)
		if want == m.Attended {
			continue
		}
		a, err = u.db.Labour().Attend(labourCtx(r), me, id, a.Version, m.Name, want, date)
		if err != nil {
			if !storeRefusal(err) {
				return err
			}
			return u.renderDrive(w, r, v, driveID, statusOf(err), v.storeMessage(err), id)
		}
	}
	web.SkipAudit(r)
	return seeOther(w, r, driveURL(driveID)+"?saved=attended#app-"+idString(id))
}

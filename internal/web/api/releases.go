package api

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/importer"
	"github.com/corridor-platform/corridor/internal/release"
	"github.com/corridor-platform/corridor/internal/release/table"
	"github.com/corridor-platform/corridor/internal/store"
	"github.com/corridor-platform/corridor/internal/tabular"
	"github.com/corridor-platform/corridor/internal/web"
)

// The publication workflow of de-identified releases (internal/release):
// a data publisher builds a release from the consenting cases in their
// scope (store.Cases.ReleaseSource), the files are written and verified
// independently from the files (release.Verify), and the release is
// stored built (publishable) or failed (kept, never publishable); a
// publisher then publishes (or withdraws) it. The public routes read only
// published releases from the releases table — never the cases.
//
// The store audits every change in its own transaction, so the handlers
// of changes mark their requests web.SkipAudit once it has answered.

// Bounds of a build from the web.
const (
	// MaxReleaseRecords is the largest input a build accepts: the
	// methods hold the input in memory.
	MaxReleaseRecords = 1_000_000
	// ReleaseBuildTimeout bounds the reading of the cases of a build.
	ReleaseBuildTimeout = 2 * time.Minute
)

// ReleaseRequest is what a build needs besides the principal: the
// parameters and the data card.
type ReleaseRequest struct {
	Title    string         `json:"title"`
	Citation string         `json:"citation"`
	Params   release.Params `json:"parameters"`
}

// BuildRelease builds a release of the cases me may release, writes its
// files to a temporary directory, verifies them from the files and stores
// the release as built (verification passed) or failed (kept with its
// failing checks). Errors: derrors.Invalid (parameters, naming them, or
// an input the method cannot release), derrors.Forbidden (no grant to
// read the cases), derrors.TooLarge (more than MaxReleaseRecords input
// records, or a method's limits).
func BuildRelease(ctx context.Context, db *store.DB, g geo.Store, me *auth.Principal, in ReleaseRequest, version string) (_ store.Release, err error) {
	defer derrors.Wrap(&err, "api.BuildRelease")
	title := strings.TrimSpace(in.Title)
	if title == "" {
		return store.Release{}, &web.ParamError{Param: "title", Reason: "required"}
	}
	if err := in.Params.Validate(); err != nil {
		return store.Release{}, err
	}
	src, err := releaseInput(ctx, db, g, me)
	if err != nil {
		return store.Release{}, err
	}
	card := release.DataCard{Title: title, Citation: strings.TrimSpace(in.Citation), Publisher: orgName(ctx, db, me.OrgID)}
	if in.Params.Epsilon > 0 {
		// The noise of a differentially private release must be secret: a
		// known seed would let anyone regenerate and subtract it.
		in.Params.Seed = secretSeed()
	}
	b, err := release.Build(src, in.Params, card, version)
	if err != nil {
		return store.Release{}, err
	}
	rel, err := writeAndVerify(b)
	if err != nil {
		return store.Release{}, err
	}
	rel.Title = title
	return db.Releases().Create(ctx, me, rel)
}

// releaseInput reads the consenting cases me may release, bounded in
// time and size, with the countries kanon generalises.
func releaseInput(ctx context.Context, db *store.DB, g geo.Store, me *auth.Principal) (release.Source, error) {
	var src release.Source
	rctx, cancel := context.WithTimeout(ctx, ReleaseBuildTimeout)
	defer cancel()
	rows, counted, err := db.Cases().ReleaseSource(rctx, me)
	if err != nil {
		return src, err
	}
	if len(rows) > MaxReleaseRecords {
		return src, derrors.Kindf(derrors.TooLarge, "input: %d records; a release from the web takes at most %d", len(rows), MaxReleaseRecords)
	}
	pg, err := g.Areas(ctx, geo.Filter{Kind: geo.KindCountry, Limit: 500})
	if err != nil {
		return src, err
	}
	src.Countries = release.CountryAreas(pg.Areas)
	src.Table = &table.Table{Columns: release.CTDCColumns, Rows: rows}
	src.ExcludedNoConsent, src.ExcludedWithdrawn = counted.NoConsent, counted.Withdrawn
	src.Input = release.Input{Description: fmt.Sprintf("counter-trafficking cases in %s's scope whose person consented to statistical use "+
		"(%d cases: %d included, %d without consent, %d withdrawn, %d not victims)", me.Username, counted.Cases, counted.Included,
		counted.NoConsent, counted.Withdrawn, counted.NotVictim), Source: "cases", Records: len(rows), Columns: release.CTDCColumns}
	return src, nil
}

func orgName(ctx context.Context, db *store.DB, id int64) string {
	if o, err := db.Accounts().Org(ctx, id); err == nil {
		return o.Name
	}
	return ""
}

// writeAndVerify writes a built release to a temporary directory, checks
// it from the files alone and returns the files and reports to store.
func writeAndVerify(b release.Built) (store.Release, error) {
	tmp, err := os.MkdirTemp("", "corridor-release-")
	if err != nil {
		return store.Release{}, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "release")
	if err := release.WriteRelease(dir, b.Manifest, b.Aggregates, b.Records, b.Report); err != nil {
		return store.Release{}, err
	}
	rep, verr := release.Verify(dir)
	rep.Dir = "" // a temporary path means nothing to readers
	vj, err := json.Marshal(rep)
	if err != nil {
		return store.Release{}, err
	}
	rel := store.Release{Method: string(b.Manifest.Method), Status: store.ReleaseBuilt, Verify: string(vj)}
	if verr != nil || !rep.Pass {
		rel.Status = store.ReleaseFailed
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{release.ManifestFile, &rel.Manifest}, {release.ReportFile, &rel.Report}, {release.AggregatesFile, &rel.AggregatesCSV},
		{release.RecordsFile, &rel.RecordsCSV}, {release.DataCardFile, &rel.DataCard}} {
		body, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return store.Release{}, err
		}
		*f.dst = string(body)
	}
	return rel, nil
}

// LoadReleaseRecords is the store.ReleaseLoader of publication: for a
// release with aggregates (aggregate methods and synthetic), it stores
// the released counts (loadReleaseAggregates); for k-anonymous
// microdata, it maps every row of records.csv to a public trafficking record
// (importer.CTDCGlobalRecord) and stores them as the source
// "release:<id>". A generalised or suppressed value the public schema
// cannot hold (an M49 region, "*") becomes unknown, never a guess.
func LoadReleaseRecords(ctx context.Context, tx *store.Tx, rel store.Release) error {
	if err := verifyStored(rel); err != nil {
		return err
	}
	if rel.AggregatesCSV != "" {
		// A synthetic release has both: its aggregates are the faithful
		// counts, where its records number more than the cases (record
		// expansion, as SDS generates until the counts are used up).
		return loadReleaseAggregates(ctx, tx, rel)
	}
	cr := csv.NewReader(strings.NewReader(rel.RecordsCSV))
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("records.csv of release %d: %w", rel.ID, err)
	}
	var recs []store.TraffickingRecord
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("records.csv of release %d: %w", rel.ID, err)
		}
		cells := make(map[string]string, len(header))
		for i, c := range header {
			if i < len(row) && row[i] != "*" {
				cells[c] = row[i]
			}
		}
		rec, err := publicRecord(cells, len(header))
		if err != nil {
			return fmt.Errorf("records.csv of release %d, record %d: %w", rel.ID, len(recs)+1, err)
		}
		recs = append(recs, rec)
	}
	return store.ReplaceTraffickingRecords(ctx, tx, rel.TraffickingSource(), store.TraffickingLayoutKAnon, recs...)
}

// verifyStored runs the independent verification again on the files as
// stored, not as they were built: a release altered since it was built
// (in the database) is not published. The error wraps derrors.Conflict.
func verifyStored(rel store.Release) error {
	dir, err := os.MkdirTemp("", "corridor-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, name := range store.ReleaseFiles {
		if body, _, ok := rel.File(name); ok {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				return err
			}
		}
	}
	rep, err := release.Verify(dir)
	if err != nil {
		return derrors.Kindf(derrors.Conflict, "release %d: its stored files do not verify: %v", rel.ID, err)
	}
	for _, c := range rep.Checks {
		if !c.Pass {
			return derrors.Kindf(derrors.Conflict, "release %d: its stored files do not verify (%s: %s); build a new release", rel.ID, c.Name, c.Message)
		}
	}
	return nil
}

// loadReleaseAggregates stores the released counts of an aggregates
// release (aggregates.csv: one column per attribute, empty when not in the
// combination, and count) as the source "release:<id>". Each combination
// of dashboard attributes is kept as released; a combination with an
// attribute the dashboard does not show (traffickMonths), with two flags,
// or with a value the public schema cannot hold (a generalised one) is
// left out, never approximated.
func loadReleaseAggregates(ctx context.Context, tx *store.Tx, rel store.Release) error {
	var m release.Manifest
	if err := json.Unmarshal([]byte(rel.Manifest), &m); err != nil {
		return fmt.Errorf("release.json of release %d: %w", rel.ID, err)
	}
	cr := csv.NewReader(strings.NewReader(rel.AggregatesCSV))
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("aggregates.csv of release %d: %w", rel.ID, err)
	}
	countCol := slices.Index(header, release.CountColumn)
	if countCol < 0 {
		return derrors.Kindf(derrors.Invalid, "aggregates.csv of release %d: no %q column", rel.ID, release.CountColumn)
	}
	var (
		aggs  []store.TraffickingAggregate
		total int64 = -1
	)
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("aggregates.csv of release %d: %w", rel.ID, err)
		}
		n, err := strconv.ParseInt(row[countCol], 10, 64)
		if err != nil || n < 0 {
			return derrors.Kindf(derrors.Invalid, "aggregates.csv of release %d, line %d: count %q is not a whole number >= 0", rel.ID, line, row[countCol])
		}
		agg, ok := publicAggregate(header, row, countCol)
		switch {
		case !ok:
		case agg == (store.TraffickingAggregate{}):
			total = n
		default:
			agg.Count = n
			aggs = append(aggs, agg)
		}
	}
	if total < 0 {
		return derrors.Kindf(derrors.Invalid, "aggregates.csv of release %d: no total row (every attribute empty)", rel.ID)
	}
	return store.ReplaceTraffickingAggregates(ctx, tx, rel.TraffickingSource(), m.Params.ReportingLength, total, aggs...)
}

// publicAggregate maps the attributes of one aggregates.csv row to the
// dashboard's; ok is false when the combination has no place there.
func publicAggregate(header, row []string, countCol int) (agg store.TraffickingAggregate, ok bool) {
	for i, col := range header {
		if i == countCol || i >= len(row) || row[i] == "" {
			continue
		}
		rec, err := importer.CTDCGlobalRecord(map[string]string{col: row[i]})
		if err != nil {
			return agg, false
		}
		switch {
		case rec.Year != "":
			agg.Year = rec.Year
		case rec.Gender != "":
			agg.Gender = rec.Gender
		case rec.Age != "":
			agg.Age = rec.Age
		case rec.Citizenship != "":
			agg.Citizenship = rec.Citizenship
		case rec.Exploitation != "":
			agg.Exploitation = rec.Exploitation
		case len(rec.Flags) == 1 && agg.Flag == "":
			for g, fl := range rec.Flags {
				agg.Flag = g + "." + fl[0]
			}
		default: // traffickMonths, a second flag, or an unknown column
			return agg, false
		}
	}
	return agg, true
}

// publicRecord maps one record, blanking each cell the public schema
// refuses (at most one pass per column).
func publicRecord(cells map[string]string, columns int) (store.TraffickingRecord, error) {
	for range columns + 1 {
		rec, err := importer.CTDCGlobalRecord(cells)
		var ce *tabular.CellError
		if err == nil || !errors.As(err, &ce) || cells[ce.Column] == "" {
			return rec, err
		}
		cells[ce.Column] = ""
	}
	return store.TraffickingRecord{}, derrors.Kindf(derrors.Invalid, "record not in the CTDC global schema")
}

// ---- routes

func (a *API) registerReleases(r *web.Router) {
	h := func(method, pattern, action, summary string, fn http.HandlerFunc) {
		r.Handle(web.Route{Method: method, Pattern: pattern, Resource: "releases", Action: action, Summary: summary, Handler: fn})
	}
	h("GET", "/api/v1/releases", web.ActionRead, "De-identified releases within one's scope (status, method, dates)", a.listReleases)
	h("POST", "/api/v1/releases", web.ActionCreate, "Build a de-identified release from the consenting cases in one's scope, verified from its files", a.createRelease)
	h("GET", "/api/v1/releases/{id}", web.ActionRead, "One release: manifest, report and verification checks", a.getRelease)
	h("POST", "/api/v1/releases/{id}/publish", web.ActionPublish, "Publish a built (verified) release", a.publishRelease)
	h("POST", "/api/v1/releases/{id}/withdraw", web.ActionPublish, "Withdraw a release from the public pages and API", a.withdrawRelease)
	pub := func(pattern, summary string, fn http.HandlerFunc) {
		r.Handle(web.Route{Method: "GET", Pattern: pattern, Resource: "trafficking", Action: web.ActionRead, Public: true,
			Summary: summary, Handler: fn})
	}
	pub("/api/v1/trafficking/releases", "Published de-identified releases (data card, method, date, downloads)", a.publishedReleases)
	pub("/api/v1/trafficking/releases/{id}/{file}", "A file of a published release: release.json, report.json, aggregates.csv, records.csv or datacard.md",
		a.publishedReleaseFile)
}

// ReleaseDetail is a release with its documents, as the signed-in API
// shows it.
type ReleaseDetail struct {
	store.Release
	Manifest json.RawMessage `json:"manifest"`
	Report   json.RawMessage `json:"report"`
	Verify   json.RawMessage `json:"verification"`
	Files    []string        `json:"files"`
}

func releaseDetail(rel store.Release) ReleaseDetail {
	raw := func(s string) json.RawMessage {
		if s == "" {
			return json.RawMessage("null")
		}
		return json.RawMessage(s)
	}
	return ReleaseDetail{Release: rel, Manifest: raw(rel.Manifest), Report: raw(rel.Report), Verify: raw(rel.Verify), Files: releaseFiles(rel)}
}

// releaseFiles are the files a release holds.
func releaseFiles(rel store.Release) []string {
	var out []string
	for _, f := range store.ReleaseFiles {
		if _, _, ok := rel.File(f); ok {
			out = append(out, f)
		}
	}
	return out
}

// ReleaseInScope finds the release of the {id} path parameter when the
// principal may do action on it; a release out of scope is not found.
func ReleaseInScope(r *http.Request, db *store.DB, action string) (store.Release, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Release{}, derrors.Kindf(derrors.NotFound, "no release %q", r.PathValue("id"))
	}
	rel, err := db.Releases().Get(r.Context(), id)
	if err != nil {
		return rel, err
	}
	if !web.PrincipalFrom(r.Context()).Allows("releases", action, rel.Record()) {
		return store.Release{}, derrors.Kindf(derrors.NotFound, "no release %d", id)
	}
	return rel, nil
}

func (a *API) listReleases(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	status := q.str("status", 16)
	if err := q.done(); err != nil {
		a.problem(w, r, err)
		return
	}
	if status != "" && !slices.Contains([]string{store.ReleaseBuilt, store.ReleaseFailed, store.ReleasePublished, store.ReleaseWithdrawn}, status) {
		a.problem(w, r, &web.ParamError{Param: "status", Reason: "one of built, failed, published, withdrawn"})
		return
	}
	list, err := a.db.Releases().List(r.Context(), web.PrincipalFrom(r.Context()).FilterFor("releases", auth.Read), store.ReleaseQuery{Status: status, Limit: 500})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (a *API) createRelease(w http.ResponseWriter, r *http.Request) {
	var in ReleaseRequest
	if err := decodeJSON(r, &in); err != nil {
		a.problem(w, r, err)
		return
	}
	ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
	rel, err := BuildRelease(ctx, a.db, a.geo, web.PrincipalFrom(ctx), in, a.version)
	if err != nil {
		a.problem(w, r, ReleaseParamError(err))
		return
	}
	web.SkipAudit(r)
	w.Header().Set("Location", "/api/v1/releases/"+strconv.FormatInt(rel.ID, 10))
	web.WriteJSON(w, http.StatusCreated, releaseDetail(rel))
}

// ReleaseParamError names the parameter of a release error: the release
// package says "parameter NAME: reason" for each bad parameter.
func ReleaseParamError(err error) error {
	var pe *web.ParamError
	if err == nil || errors.As(err, &pe) || !errors.Is(err, derrors.Invalid) {
		return err
	}
	msg := derrors.Message(err)
	if i := strings.Index(msg, "parameter "); i >= 0 {
		rest := msg[i+len("parameter "):]
		if name, reason, ok := strings.Cut(rest, ": "); ok && !strings.ContainsAny(name, " ") {
			if j := strings.Index(name, "["); j > 0 {
				name = name[:j]
			}
			return &web.ParamError{Param: name, Reason: reason}
		}
	}
	return err
}

func (a *API) getRelease(w http.ResponseWriter, r *http.Request) {
	rel, err := ReleaseInScope(r, a.db, auth.Read)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, releaseDetail(rel))
}

func (a *API) publishRelease(w http.ResponseWriter, r *http.Request) {
	a.changeRelease(w, r, func(ctx context.Context, me *auth.Principal, id int64) (store.Release, error) {
		return a.db.Releases().Publish(ctx, me, id, LoadReleaseRecords)
	})
}

func (a *API) withdrawRelease(w http.ResponseWriter, r *http.Request) {
	a.changeRelease(w, r, func(ctx context.Context, me *auth.Principal, id int64) (store.Release, error) {
		return a.db.Releases().Withdraw(ctx, me, id)
	})
}

// changeRelease publishes or withdraws the release of the {id} path
// parameter, within the principal's publish scope.
func (a *API) changeRelease(w http.ResponseWriter, r *http.Request, change func(context.Context, *auth.Principal, int64) (store.Release, error)) {
	rel, err := ReleaseInScope(r, a.db, auth.Publish)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ctx := store.WithAuditClient(r.Context(), web.ClientAddr(r), "")
	rel, err = change(ctx, web.PrincipalFrom(ctx), rel.ID)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.SkipAudit(r)
	full, err := a.db.Releases().Get(r.Context(), rel.ID)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, releaseDetail(full))
}

// PublishedRelease is a published release as the public sees it.
type PublishedRelease struct {
	ID          int64             `json:"id"`
	Title       string            `json:"title"`
	Method      string            `json:"method"`
	PublishedAt *time.Time        `json:"publishedAt"`
	DataCard    release.DataCard  `json:"dataCard"`
	Counts      release.Counts    `json:"counts"`
	Files       map[string]string `json:"files"` // name → URL
}

// PublishedReleases lists the published releases for the public, with
// their data cards and download URLs.
func PublishedReleases(ctx context.Context, db *store.DB) ([]PublishedRelease, error) {
	list, err := db.Releases().Published(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PublishedRelease, 0, len(list))
	for _, meta := range list {
		rel, err := db.Releases().PublishedRelease(ctx, meta.ID)
		if err != nil {
			return nil, err
		}
		var m release.Manifest
		if err := json.Unmarshal([]byte(rel.Manifest), &m); err != nil {
			return nil, fmt.Errorf("release %d: manifest: %w", rel.ID, err)
		}
		pr := PublishedRelease{ID: rel.ID, Title: rel.Title, Method: rel.Method, PublishedAt: rel.PublishedAt, DataCard: m.DataCard,
			Counts: release.PublicManifest(m).Counts, Files: map[string]string{}}
		for _, f := range releaseFiles(rel) {
			pr.Files[f] = PublicReleaseFileURL(rel.ID, f)
		}
		out = append(out, pr)
	}
	return out, nil
}

// PublicReleaseFileURL is where the public downloads a file of a
// published release.
func PublicReleaseFileURL(id int64, file string) string {
	return "/api/v1/trafficking/releases/" + strconv.FormatInt(id, 10) + "/" + file
}

func (a *API) publishedReleases(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).done(); err != nil {
		a.problem(w, r, err)
		return
	}
	list, err := PublishedReleases(r.Context(), a.db)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (a *API) publishedReleaseFile(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		a.problem(w, r, derrors.Kindf(derrors.NotFound, "no published release %q", r.PathValue("id")))
		return
	}
	rel, err := a.db.Releases().PublishedRelease(r.Context(), id)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	pub, err := PublicRelease(rel)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	ServeReleaseFile(w, r, pub, r.PathValue("file"), a.problem)
}

// PublicRelease is a release as the public downloads it: release.json and
// report.json without the figures computed from the confidential cases
// (exact input and exclusion counts, utility measured against the true
// counts: release.PublicManifest, release.PublicReport); the publisher's
// own pages keep the whole documents.
func PublicRelease(rel store.Release) (store.Release, error) {
	var m release.Manifest
	if err := json.Unmarshal([]byte(rel.Manifest), &m); err != nil {
		return rel, fmt.Errorf("release.json of release %d: %w", rel.ID, err)
	}
	pm, err := json.MarshalIndent(release.PublicManifest(m), "", "  ")
	if err != nil {
		return rel, err
	}
	out := rel
	out.Manifest = string(pm) + "\n"
	if rel.Report != "" {
		pr, err := release.PublicReport(m, []byte(rel.Report))
		if err != nil {
			return rel, fmt.Errorf("report.json of release %d: %w", rel.ID, err)
		}
		out.Report = string(pr)
	}
	return out, nil
}

// ServeReleaseFile writes one file of a release as a download; an
// unknown file, or one the release does not hold, is not found.
func ServeReleaseFile(w http.ResponseWriter, r *http.Request, rel store.Release, name string, problem func(http.ResponseWriter, *http.Request, error)) {
	body, ct, ok := rel.File(name)
	if !ok {
		problem(w, r, derrors.Kindf(derrors.NotFound, "release %d has no file %q", rel.ID, name))
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"release-%d-%s\"", rel.ID, name))
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, timeOr(rel.PublishedAt, rel.CreatedAt), bytes.NewReader([]byte(body)))
}

func timeOr(t *time.Time, def time.Time) time.Time {
	if t != nil {
		return *t
	}
	return def
}

// secretSeed is a seed nobody can guess.
func secretSeed() uint64 {
	var b [8]byte
	crand.Read(b[:]) // never fails (crypto/rand)
	return binary.LittleEndian.Uint64(b[:])
}

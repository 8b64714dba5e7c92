package cases

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// Stages of an assisted voluntary return and reintegration (AVRR) case,
// in their usual order.
const (
	StageApplication             = "application"
	StageCounselling             = "counselling"
	StageTravelDocuments         = "travelDocuments"
	StageTravel                  = "travel"
	StageReception               = "reception"
	StageReintegrationAssistance = "reintegrationAssistance"
	StageMonitoring              = "monitoring"
	StageClosed                  = "closed"
)

// Stages lists the AVRR stages in order.
var Stages = []string{StageApplication, StageCounselling, StageTravelDocuments, StageTravel, StageReception,
	StageReintegrationAssistance, StageMonitoring, StageClosed}

// stageTransitions are the allowed moves between stages: forward one
// step; back from travel to travel documents (a rebooking, an expired
// document) and from travel documents to counselling; from reception
// straight to monitoring when no reintegration assistance is wanted; from
// monitoring back to reintegration assistance when it shows a need; and
// from any open stage to closed (a withdrawn application, a completed
// case). Closed is final: a new return is a new case.
var stageTransitions = map[string][]string{
	StageApplication:             {StageCounselling, StageClosed},
	StageCounselling:             {StageTravelDocuments, StageClosed},
	StageTravelDocuments:         {StageTravel, StageCounselling, StageClosed},
	StageTravel:                  {StageReception, StageTravelDocuments, StageClosed},
	StageReception:               {StageReintegrationAssistance, StageMonitoring, StageClosed},
	StageReintegrationAssistance: {StageMonitoring, StageClosed},
	StageMonitoring:              {StageReintegrationAssistance, StageClosed},
	StageClosed:                  nil,
}

// AllowedStages returns the stages a return case may move to.
func AllowedStages(from string) []string { return slices.Clone(stageTransitions[from]) }

// CanAdvance reports whether the stage machine allows from → to.
func CanAdvance(from, to string) bool { return slices.Contains(stageTransitions[from], to) }

// StatusOfStage is the cas_Status a return case has in a stage: Active
// up to reintegration assistance, FollowUp while monitoring, Closed when
// closed (or ClosedReferred, when closed by referral).
func StatusOfStage(stage string) string {
	switch stage {
	case StageMonitoring:
		return StatusFollowUp
	case StageClosed:
		return StatusClosed
	}
	return StatusActive
}

func statusFitsStage(status, stage string) bool {
	if stage == StageClosed {
		return IsClosedStatus(status)
	}
	return status == StatusOfStage(stage)
}

// Return types.
var ReturnTypes = []string{"permanent", "temporary"}

// Return is the AVRR part of a case.
type Return struct {
	Stage      string `json:"stage"`
	ReturnType string `json:"returnType"`
	// HostCountry is where the migrant returns from; OriginCountry where
	// they return to (ISO3).
	HostCountry     string `json:"hostCountry"`
	OriginCountry   string `json:"originCountry"`
	ApplicationDate string `json:"applicationDate"`
	// TravelDate is the departure (needed to enter the travel stage);
	// ArrivalDate the arrival in the country of origin (needed for
	// reception).
	TravelDate  string       `json:"travelDate,omitempty"`
	ArrivalDate string       `json:"arrivalDate,omitempty"`
	Monitoring  []Monitoring `json:"monitoring,omitempty"`
}

// Check returns every problem of the return details; required is false
// for drafts.
func (r Return) Check(required bool) Problems {
	var ps Problems
	ps.oneOf("stage", r.Stage, Stages, true)
	ps.oneOf("returnType", r.ReturnType, ReturnTypes, required)
	ps.iso3("hostCountry", r.HostCountry, required)
	ps.iso3("originCountry", r.OriginCountry, required)
	if r.HostCountry != "" && r.HostCountry == r.OriginCountry {
		ps.add("originCountry", "sameCountry", nil, "differs from the host country")
	}
	okApp := ps.date("applicationDate", r.ApplicationDate, required)
	okTravel := ps.date("travelDate", r.TravelDate, false)
	okArrival := ps.date("arrivalDate", r.ArrivalDate, false)
	if okApp && okTravel && r.TravelDate < r.ApplicationDate {
		ps.add("travelDate", "notBefore", map[string]any{"Value": r.ApplicationDate}, "not before the application (%s)", r.ApplicationDate)
	}
	if okTravel && okArrival && r.ArrivalDate < r.TravelDate {
		ps.add("arrivalDate", "notBefore", map[string]any{"Value": r.TravelDate}, "not before the travel date (%s)", r.TravelDate)
	}
	if required {
		if i := slices.Index(Stages, r.Stage); i >= slices.Index(Stages, StageTravel) && r.Stage != StageClosed && r.TravelDate == "" {
			ps.add("travelDate", "required", nil, "required from the travel stage on")
		}
		if i := slices.Index(Stages, r.Stage); i >= slices.Index(Stages, StageReception) && r.Stage != StageClosed && r.ArrivalDate == "" {
			ps.add("arrivalDate", "required", nil, "required from the reception stage on")
		}
	}
	if len(r.Monitoring) > 0 && r.ArrivalDate == "" && required {
		ps.add("monitoring", "beforeArrival", nil, "reintegration is monitored after arrival: record the arrival date first")
	}
	for i, m := range r.Monitoring {
		sub := m.Check()
		if okArrival && m.Date != "" && m.Date < r.ArrivalDate {
			sub.add("date", "notBefore", map[string]any{"Value": r.ArrivalDate}, "not before the arrival (%s)", r.ArrivalDate)
		}
		ps.merge(fmt.Sprintf("monitoring[%d].", i), sub)
	}
	return ps
}

// AdvanceStage moves a return case to another stage and sets the status
// the stage implies. Entering travel needs a travel date, reception an
// arrival date; closing needs a reason, or an accepted referral among refs
// when byReferral (the case is then ClosedReferred).
//
// Errors wrap derrors.Invalid (unknown stage, missing date or reason) or
// derrors.Conflict (not an allowed move, not a return case, a draft, no
// accepted referral).
func (c *Case) AdvanceStage(to, reason string, byReferral bool, refs []Referral, on time.Time) error {
	if c.Kind != KindReturn || c.Return == nil {
		return derrors.Kindf(derrors.Conflict, "return.stage: only a return case has stages")
	}
	r := c.Return
	if !slices.Contains(Stages, to) {
		return derrors.Kindf(derrors.Invalid, "return.stage: %q is not one of %s", to, strings.Join(Stages, ", "))
	}
	if !CanAdvance(r.Stage, to) {
		allowed := "none: a closed return case is final; open a new case for a new return"
		if a := stageTransitions[r.Stage]; len(a) > 0 {
			allowed = strings.Join(a, ", ")
		}
		return derrors.Kindf(derrors.Conflict, "return.stage: a return case cannot go from %s to %s (allowed: %s)", r.Stage, to, allowed)
	}
	switch to {
	case StageTravel:
		if r.TravelDate == "" {
			return derrors.Kindf(derrors.Invalid, "return.travelDate: required before the travel stage")
		}
	case StageReception:
		if r.ArrivalDate == "" {
			return derrors.Kindf(derrors.Invalid, "return.arrivalDate: required before the reception stage")
		}
	}
	status := StatusOfStage(to)
	if to == StageClosed && byReferral {
		status = StatusClosedReferred
	}
	if status != c.Status {
		if err := c.setStatus(status, reason, refs, on); err != nil {
			return err
		}
	}
	r.Stage = to
	return nil
}

// Monitoring is one reintegration monitoring visit, scored on the three
// dimensions of IOM's Reintegration Sustainability Survey (RSS): economic
// (income, employment, debt, access to food and housing), social (access
// to services, documents, safety, housing) and psychosocial (belonging,
// stress, discrimination, wish to migrate again).
//
// Scale: each dimension score lies from 0 to 1, as the RSS computes them
// from its weighted indicators; higher is more sustainable reintegration
// (0 = no element of sustainable reintegration in that dimension, 1 = all
// of them). Corridor stores the dimension scores the survey produced, not
// the answers to the indicators.
type Monitoring struct {
	ID           int64   `json:"id,omitempty"`
	Date         string  `json:"date"`
	Economic     float64 `json:"economic"`
	Social       float64 `json:"social"`
	Psychosocial float64 `json:"psychosocial"`
	RecordedBy   int64   `json:"recordedBy,omitempty"`
	Note         string  `json:"note,omitempty"`
}

// Check returns every problem of a monitoring record.
func (m Monitoring) Check() Problems {
	var ps Problems
	ps.date("date", m.Date, true)
	ps.unit("economic", m.Economic)
	ps.unit("social", m.Social)
	ps.unit("psychosocial", m.Psychosocial)
	ps.id("recordedBy", m.RecordedBy, false)
	ps.text("note", m.Note, false, true, MaxLongText)
	return ps
}

// Weights weigh the three dimensions in the composite score.
type Weights struct{ Economic, Social, Psychosocial float64 }

// EqualWeights is Corridor's default: the three dimensions count the
// same. The RSS weighs indicators within each dimension; organisations
// that use other dimension weights pass their own.
var EqualWeights = Weights{1.0 / 3, 1.0 / 3, 1.0 / 3}

// Composite is the weighted mean of the three dimension scores, on the
// same 0–1 scale. Weights need not sum to one (they are normalised); it
// returns NaN when they are not positive.
func (m Monitoring) Composite(w Weights) float64 {
	sum := w.Economic + w.Social + w.Psychosocial
	if !(sum > 0) || w.Economic < 0 || w.Social < 0 || w.Psychosocial < 0 {
		return math.NaN()
	}
	return (w.Economic*m.Economic + w.Social*m.Social + w.Psychosocial*m.Psychosocial) / sum
}

// ScorePoint is one point of a reintegration trajectory.
type ScorePoint struct {
	Date         string  `json:"date"`
	Economic     float64 `json:"economic"`
	Social       float64 `json:"social"`
	Psychosocial float64 `json:"psychosocial"`
	Composite    float64 `json:"composite"`
}

// Trajectory returns the monitoring scores in date order (records of the
// same date in the order given), with their composite.
func Trajectory(ms []Monitoring, w Weights) []ScorePoint {
	sorted := slices.Clone(ms)
	slices.SortStableFunc(sorted, func(a, b Monitoring) int { return strings.Compare(a.Date, b.Date) })
	out := make([]ScorePoint, len(sorted))
	for i, m := range sorted {
		out[i] = ScorePoint{Date: m.Date, Economic: m.Economic, Social: m.Social, Psychosocial: m.Psychosocial, Composite: m.Composite(w)}
	}
	return out
}

// Change is the difference between the latest and the first point of a
// trajectory, per dimension and composite; ok is false with fewer than
// two points.
func Change(points []ScorePoint) (delta ScorePoint, ok bool) {
	if len(points) < 2 {
		return ScorePoint{}, false
	}
	a, b := points[0], points[len(points)-1]
	return ScorePoint{Date: b.Date, Economic: b.Economic - a.Economic, Social: b.Social - a.Social,
		Psychosocial: b.Psychosocial - a.Psychosocial, Composite: b.Composite - a.Composite}, true
}

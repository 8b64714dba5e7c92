package labour

import (
	"slices"
	"time"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// The selection-to-arrival pipeline of one worker for one vacancy in a
// drive. Stages follow in order; a candidate may leave at any stage before
// placement (rejected by the employer, or withdrawn by the worker).
const (
	StageShortlisted  = "shortlisted"
	StageInterviewed  = "interviewed"
	StageOffered      = "offered"
	StageAccepted     = "accepted"
	StageVisa         = "visa"
	StagePreDeparture = "pre-departure"
	StageTravel       = "travel"
	StageArrived      = "arrived"
	StagePlaced       = "placed"
	StageRejected     = "rejected"
	StageWithdrawn    = "withdrawn"
)

// Stages are the pipeline's columns, in order.
var Stages = []string{StageShortlisted, StageInterviewed, StageOffered, StageAccepted, StageVisa,
	StagePreDeparture, StageTravel, StageArrived, StagePlaced}

// EndStages end an application early.
var EndStages = []string{StageRejected, StageWithdrawn}

// DefaultModules are the pre-departure orientation modules an application
// starts with (IOM's pre-departure orientation curriculum, in outline).
var DefaultModules = []string{"rights-and-duties", "contract-and-wages", "culture-and-daily-life",
	"health-and-safety", "travel-and-arrival", "remittances-and-finance"}

// Module is one orientation module and the worker's attendance.
type Module struct {
	Name     string `json:"name"`
	Attended bool   `json:"attended"`
	Date     string `json:"date,omitempty"`
}

// StageEvent records a move to a stage: when it happened (Date, the day in
// the real world), which organisation is responsible for it, who recorded
// it and when.
type StageEvent struct {
	Stage      string    `json:"stage"`
	Date       string    `json:"date"`
	OrgID      int64     `json:"orgId"`
	OrgName    string    `json:"orgName,omitempty"`
	By         int64     `json:"by"`
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
}

// Application is one worker's way through the pipeline for one vacancy.
type Application struct {
	ID          int64        `json:"id"`
	DriveID     int64        `json:"driveId"`
	VacancyID   int64        `json:"vacancyId"`
	WorkerID    int64        `json:"workerId"`
	Stage       string       `json:"stage"`
	Score       int          `json:"score"`
	Events      []StageEvent `json:"events"`
	Orientation []Module     `json:"orientation"`
	Version     int64        `json:"version"`
}

// OrientationComplete reports whether every module was attended.
func (a Application) OrientationComplete() bool {
	if len(a.Orientation) == 0 {
		return false
	}
	for _, m := range a.Orientation {
		if !m.Attended {
			return false
		}
	}
	return true
}

// Active reports whether the application is still moving.
func (a Application) Active() bool {
	return a.Stage != StagePlaced && !slices.Contains(EndStages, a.Stage)
}

// NextStage is the stage after s ("" after placement or an end stage).
func NextStage(s string) string {
	i := slices.Index(Stages, s)
	if i < 0 || i == len(Stages)-1 {
		return ""
	}
	return Stages[i+1]
}

// CheckMove tells whether an application may move to stage to: only to
// the next stage (an interview may be skipped: shortlisted → offered), or
// to an end stage while active. Travel needs the pre-departure
// orientation complete. The error wraps derrors.Invalid or Conflict and
// names the field "stage".
func CheckMove(a Application, to string) error {
	if !slices.Contains(Stages, to) && !slices.Contains(EndStages, to) {
		return derrors.Kindf(derrors.Invalid, "stage: %q is not a stage", clipText(to))
	}
	if !a.Active() {
		return derrors.Kindf(derrors.Conflict, "stage: the application is %s and cannot move", a.Stage)
	}
	if slices.Contains(EndStages, to) {
		return nil
	}
	next := NextStage(a.Stage)
	skipInterview := a.Stage == StageShortlisted && to == StageOffered
	if to != next && !skipInterview {
		return derrors.Kindf(derrors.Conflict, "stage: from %s the next stage is %s, not %s", a.Stage, next, to)
	}
	if to == StageTravel && !a.OrientationComplete() {
		return derrors.Kindf(derrors.Conflict, "stage: the pre-departure orientation is not complete (every module must be attended before travel)")
	}
	return nil
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

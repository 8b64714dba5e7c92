package plans

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/corridor-platform/corridor/internal/derrors"
)

func ptr(v float64) *float64 { return &v }

func TestAssess(t *testing.T) {
	// Migrants' share of Kenya's population: 2.0 % in 2010, aiming at
	// 3.0 % in 2030 (0.05 points a year).
	up := LinkedIndicator{BaselineValue: 2, BaselineYear: 2010, TargetValue: 3, TargetYear: 2030}
	// Recruitment costs (months of earnings): 4 in 2015, to 1 by 2030
	// (0.2 a year): a decreasing target.
	down := LinkedIndicator{BaselineValue: 4, BaselineYear: 2015, TargetValue: 1, TargetYear: 2030}
	m := func(year int, v float64) Measurement { return Measurement{Year: year, Value: v} }
	tests := []struct {
		name     string
		li       LinkedIndicator
		ms       []Measurement
		status   string
		latest   float64
		expected *float64
		ratio    *float64
		met      bool
	}{
		{name: "no measurement", li: up, status: NoData},
		{name: "only the baseline year", li: up, ms: []Measurement{m(2010, 2.4)}, status: NoData},
		{name: "before the baseline is ignored", li: up, ms: []Measurement{m(2005, 9), m(2010, 2)}, status: NoData},
		{name: "exactly on the path", li: up, ms: []Measurement{m(2020, 2.5)}, status: OnTrack,
			latest: 2.5, expected: ptr(2.5), ratio: ptr(1)},
		{name: "0.95 of the way is on track", li: up, ms: []Measurement{m(2020, 2.475)}, status: OnTrack,
			latest: 2.475, expected: ptr(2.5), ratio: ptr(0.95)},
		{name: "just under 0.95 is at risk", li: up, ms: []Measurement{m(2020, 2.47)}, status: AtRisk,
			latest: 2.47, expected: ptr(2.5), ratio: ptr(0.94)},
		{name: "0.75 is at risk", li: up, ms: []Measurement{m(2020, 2.375)}, status: AtRisk,
			latest: 2.375, expected: ptr(2.5), ratio: ptr(0.75)},
		{name: "under 0.75 is off track", li: up, ms: []Measurement{m(2020, 2.3)}, status: OffTrack,
			latest: 2.3, expected: ptr(2.5), ratio: ptr(0.6)},
		{name: "moving away is off track", li: up, ms: []Measurement{m(2015, 1.9)}, status: OffTrack,
			latest: 1.9, expected: ptr(2.25), ratio: ptr(-0.4)},
		{name: "latest year counts, not the order given", li: up, ms: []Measurement{m(2020, 2.5), m(2015, 1.0), m(2005, 7)},
			status: OnTrack, latest: 2.5, expected: ptr(2.5), ratio: ptr(1)},
		{name: "target met early", li: up, ms: []Measurement{m(2015, 3.1)}, status: OnTrack,
			latest: 3.1, expected: ptr(2.25), ratio: ptr(4.4), met: true},
		{name: "past the target year the path is the target", li: up, ms: []Measurement{m(2035, 2.9)}, status: AtRisk,
			latest: 2.9, expected: ptr(3), ratio: ptr(0.9)},
		{name: "decrease on the path", li: down, ms: []Measurement{m(2020, 3)}, status: OnTrack,
			latest: 3, expected: ptr(3), ratio: ptr(1)},
		{name: "decrease at risk", li: down, ms: []Measurement{m(2020, 3.2)}, status: AtRisk,
			latest: 3.2, expected: ptr(3), ratio: ptr(0.8)},
		{name: "decrease off track (costs rose)", li: down, ms: []Measurement{m(2020, 4.5)}, status: OffTrack,
			latest: 4.5, expected: ptr(3), ratio: ptr(-0.5)},
		{name: "decrease target met early", li: down, ms: []Measurement{m(2018, 0.9)}, status: OnTrack,
			latest: 0.9, expected: ptr(3.4), ratio: ptr(3.1 / 0.6), met: true},
		{name: "decrease measurement before baseline ignored", li: down, ms: []Measurement{m(2012, 0.5), m(2016, 4)},
			status: OffTrack, latest: 4, expected: ptr(3.8), ratio: ptr(0)},
		{name: "same year: the later date wins", li: up, ms: []Measurement{
			{Year: 2020, Date: "2020-12-01", Value: 2.5}, {Year: 2020, Date: "2020-03-01", Value: 2.0}},
			status: OnTrack, latest: 2.5, expected: ptr(2.5), ratio: ptr(1)},
		{name: "same year, no dates: the last reported wins", li: up, ms: []Measurement{
			{ID: 2, Year: 2020, Value: 2.0}, {ID: 1, Year: 2020, Value: 2.5}},
			status: OffTrack, latest: 2.0, expected: ptr(2.5), ratio: ptr(0)},
		{name: "not-a-number values are ignored", li: up, ms: []Measurement{m(2020, math.NaN())}, status: NoData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.li.Assess(tt.ms)
			if p.Status != tt.status {
				t.Errorf("status %s, want %s", p.Status, tt.status)
			}
			if p.TargetMet != tt.met {
				t.Errorf("targetMet %v, want %v", p.TargetMet, tt.met)
			}
			if tt.status == NoData {
				if p.Latest != nil || p.Expected != nil || p.Ratio != nil {
					t.Errorf("no data but %+v", p)
				}
				return
			}
			if p.Latest == nil || p.Latest.Value != tt.latest {
				t.Errorf("latest %+v, want %v", p.Latest, tt.latest)
			}
			if !near(p.Expected, tt.expected) {
				t.Errorf("expected %v, want %v", deref(p.Expected), deref(tt.expected))
			}
			if !near(p.Ratio, tt.ratio) {
				t.Errorf("ratio %v, want %v", deref(p.Ratio), deref(tt.ratio))
			}
		})
	}
}

func near(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestThresholdsAreOrdered(t *testing.T) {
	if !(0 < AtRiskRatio && AtRiskRatio < OnTrackRatio && OnTrackRatio <= 1) {
		t.Errorf("thresholds: at risk %v, on track %v", AtRiskRatio, OnTrackRatio)
	}
}

func TestExpectedPath(t *testing.T) {
	li := LinkedIndicator{BaselineValue: 10, BaselineYear: 2020, TargetValue: 20, TargetYear: 2030}
	for year, want := range map[int]float64{2010: 10, 2020: 10, 2021: 11, 2025: 15, 2030: 20, 2040: 20} {
		if got := li.Expected(year); math.Abs(got-want) > 1e-12 {
			t.Errorf("Expected(%d) = %v, want %v", year, got, want)
		}
	}
	if DirectionOf(10, 20) != Increase || DirectionOf(20, 10) != Decrease {
		t.Error("DirectionOf")
	}
}

func TestPlanCheck(t *testing.T) {
	good := Plan{Country: "KEN", Title: "Kenya Vision 2030: migration and development", StartYear: 2010, EndYear: 2030, Status: StatusDraft}
	tests := []struct {
		name  string
		edit  func(*Plan)
		field string // "" = valid
		code  string
	}{
		{"valid", func(p *Plan) {}, "", ""},
		{"multi-line description", func(p *Plan) { p.Description = "Pillar 1\nPillar 2" }, "", ""},
		{"lower-case country", func(p *Plan) { p.Country = "ken" }, "country", "iso3"},
		{"empty country", func(p *Plan) { p.Country = "" }, "country", "iso3"},
		{"empty title", func(p *Plan) { p.Title = "  " }, "title", "required"},
		{"long title", func(p *Plan) { p.Title = strings.Repeat("é", MaxTitle+1) }, "title", "tooLong"},
		{"title with newline", func(p *Plan) { p.Title = "a\nb" }, "title", "text"},
		{"title with bidi control", func(p *Plan) { p.Title = "a\u202eb" }, "title", "text"},
		{"invalid UTF-8", func(p *Plan) { p.Description = "\xff" }, "description", "text"},
		{"start year too early", func(p *Plan) { p.StartYear = 1900 }, "startYear", "yearRange"},
		{"end before start", func(p *Plan) { p.EndYear = 2005 }, "endYear", "endAfterStart"},
		{"end equals start", func(p *Plan) { p.EndYear = 2010 }, "endYear", "endAfterStart"},
		{"too long a period", func(p *Plan) { p.StartYear, p.EndYear = 1960, 2080 }, "endYear", "periodLength"},
		{"unknown status", func(p *Plan) { p.Status = "done" }, "status", "oneOf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.edit(&p)
			checkProblem(t, p.Validate(), tt.field, tt.code)
		})
	}
}

func checkProblem(t *testing.T, err error, field, code string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) || !errors.Is(err, derrors.Invalid) {
		t.Fatalf("error %v, want a FieldError on %s", err, field)
	}
	if fe.Field != field || fe.Code != code {
		t.Errorf("problem %s/%s (%v), want %s/%s", fe.Field, fe.Code, err, field, code)
	}
	if !strings.HasPrefix(err.Error(), field+": ") {
		t.Errorf("message %q does not name the field", err)
	}
}

func TestLinkedIndicatorCheck(t *testing.T) {
	plan := Plan{Country: "KEN", StartYear: 2010, EndYear: 2030}
	good := LinkedIndicator{Indicator: "migrant_share_of_population", Sex: "total", Source: SourceLive,
		BaselineValue: 2.1, BaselineYear: 2010, TargetValue: 3, TargetYear: 2030}
	tests := []struct {
		name  string
		edit  func(*LinkedIndicator)
		field string
		code  string
	}{
		{"valid", func(li *LinkedIndicator) {}, "", ""},
		{"valid decrease", func(li *LinkedIndicator) { li.TargetValue = 1 }, "", ""},
		{"valid corridor", func(li *LinkedIndicator) { li.Counterpart = "ETH" }, "", ""},
		{"bad code", func(li *LinkedIndicator) { li.Indicator = "Migrant Share" }, "indicator", "code"},
		{"bad counterpart", func(li *LinkedIndicator) { li.Counterpart = "et" }, "counterpart", "iso3"},
		{"counterpart is the plan's country", func(li *LinkedIndicator) { li.Counterpart = "KEN" }, "counterpart", "counterpartSelf"},
		{"bad sex", func(li *LinkedIndicator) { li.Sex = "both" }, "sex", "oneOf"},
		{"bad source", func(li *LinkedIndicator) { li.Source = "manual" }, "source", "oneOf"},
		{"NaN baseline", func(li *LinkedIndicator) { li.BaselineValue = math.NaN() }, "baselineValue", "number"},
		{"infinite target", func(li *LinkedIndicator) { li.TargetValue = math.Inf(1) }, "targetValue", "number"},
		{"target equals baseline", func(li *LinkedIndicator) { li.TargetValue = li.BaselineValue }, "targetValue", "targetEqualsBaseline"},
		// The baseline may lie before the plan's start (a 2010–2030 plan
		// from a 2005 baseline), never after its end nor after the target.
		{"baseline before the plan", func(li *LinkedIndicator) { li.BaselineYear = 2005 }, "", ""},
		{"baseline long before the plan", func(li *LinkedIndicator) { li.BaselineYear, li.TargetYear = MinYear, 2015 }, "", ""},
		{"baseline the year before the target", func(li *LinkedIndicator) { li.BaselineYear = 2029 }, "", ""},
		{"baseline too early", func(li *LinkedIndicator) { li.BaselineYear = MinYear - 1 }, "baselineYear", "yearRange"},
		{"baseline in the plan's last year", func(li *LinkedIndicator) { li.BaselineYear = 2030 }, "baselineYear", "yearRange"},
		{"baseline after the plan", func(li *LinkedIndicator) { li.BaselineYear = 2031 }, "baselineYear", "yearRange"},
		{"baseline after the target", func(li *LinkedIndicator) { li.BaselineYear, li.TargetYear = 2025, 2020 }, "targetYear", "targetAfterBaseline"},
		{"target before the plan", func(li *LinkedIndicator) { li.BaselineYear, li.TargetYear = 2000, 2008 }, "targetYear", "yearRange"},
		{"target after the plan", func(li *LinkedIndicator) { li.TargetYear = 2035 }, "targetYear", "yearRange"},
		{"target year before baseline", func(li *LinkedIndicator) { li.BaselineYear, li.TargetYear = 2020, 2015 }, "targetYear", "targetAfterBaseline"},
		{"target year equals baseline", func(li *LinkedIndicator) { li.TargetYear = 2010 }, "targetYear", "targetAfterBaseline"},
		{"no library code", func(li *LinkedIndicator) { li.Indicator = "" }, "indicator", "code"},
		// Custom indicators of the plan: reported by hand, with their own name, unit and decimals.
		{"valid custom", custom(func(li *LinkedIndicator) {}), "", ""},
		{"valid custom corridor", custom(func(li *LinkedIndicator) { li.Counterpart = "SAU" }), "", ""},
		{"custom with no decimals", custom(func(li *LinkedIndicator) { li.Decimals = 0 }), "", ""},
		{"custom with six decimals", custom(func(li *LinkedIndicator) { li.Decimals = MaxDecimals }), "", ""},
		{"custom name of 200 characters", custom(func(li *LinkedIndicator) { li.Name = strings.Repeat("é", MaxCustomName) }), "", ""},
		{"custom and live", custom(func(li *LinkedIndicator) { li.Source = SourceLive }), "source", "customLive"},
		{"custom with a library code", custom(func(li *LinkedIndicator) { li.Indicator = "population" }), "indicator", "customWithCode"},
		{"custom without name", custom(func(li *LinkedIndicator) { li.Name = " " }), "name", "required"},
		{"custom name too long", custom(func(li *LinkedIndicator) { li.Name = strings.Repeat("é", MaxCustomName+1) }), "name", "tooLong"},
		{"custom name with newline", custom(func(li *LinkedIndicator) { li.Name = "a\nb" }), "name", "text"},
		{"custom without unit", custom(func(li *LinkedIndicator) { li.Unit = "" }), "unit", "required"},
		{"custom unit too long", custom(func(li *LinkedIndicator) { li.Unit = strings.Repeat("x", MaxCustomUnit+1) }), "unit", "tooLong"},
		{"custom decimals above 6", custom(func(li *LinkedIndicator) { li.Decimals = 7 }), "decimals", "range"},
		{"custom negative decimals", custom(func(li *LinkedIndicator) { li.Decimals = -1 }), "decimals", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			li := good
			tt.edit(&li)
			checkProblem(t, li.Validate(plan), tt.field, tt.code)
		})
	}
}

// custom turns the valid library link of TestLinkedIndicatorCheck into a
// valid custom indicator, then applies edit.
func custom(edit func(*LinkedIndicator)) func(*LinkedIndicator) {
	return func(li *LinkedIndicator) {
		li.Custom, li.Indicator, li.Source = true, "", SourceReported
		li.Name, li.Unit, li.Decimals = "Recruitment cost paid by workers", "% of monthly income", 1
		li.BaselineValue, li.TargetValue = 120, 50
		edit(li)
	}
}

func TestMeasurementCheck(t *testing.T) {
	plan := Plan{Country: "KEN", StartYear: 2010, EndYear: 2030}
	good := Measurement{Year: 2020, Value: 2.5, Note: "KNBS Economic Survey 2021, table 4.3", Source: SourceReported}
	tests := []struct {
		name  string
		edit  func(*Measurement)
		field string
		code  string
	}{
		{"valid", func(m *Measurement) {}, "", ""},
		{"valid with date", func(m *Measurement) { m.Date = "2020-06-30" }, "", ""},
		{"negative value", func(m *Measurement) { m.Value = -3 }, "", ""},
		{"year outside the plan", func(m *Measurement) { m.Year = 2031 }, "year", "yearRange"},
		{"date not a date", func(m *Measurement) { m.Date = "2020-02-30" }, "date", "date"},
		{"date format", func(m *Measurement) { m.Date = "30/06/2020" }, "date", "date"},
		{"date in another year", func(m *Measurement) { m.Date = "2019-06-30" }, "date", "dateInYear"},
		{"NaN", func(m *Measurement) { m.Value = math.NaN() }, "value", "number"},
		{"huge", func(m *Measurement) { m.Value = 1e300 }, "value", "number"},
		{"no evidence note", func(m *Measurement) { m.Note = " " }, "note", "required"},
		{"long note", func(m *Measurement) { m.Note = strings.Repeat("x", MaxNote+1) }, "note", "tooLong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good
			tt.edit(&m)
			checkProblem(t, m.Validate(plan), tt.field, tt.code)
		})
	}
}

func TestProblemsKeepFirstPerField(t *testing.T) {
	ps := Plan{Country: "x", Title: "", StartYear: 3000, EndYear: 1000, Status: "?"}.Check()
	fields := map[string]int{}
	for _, p := range ps {
		fields[p.Field]++
	}
	for _, f := range []string{"country", "title", "startYear", "endYear", "status"} {
		if fields[f] != 1 {
			t.Errorf("field %s: %d problems, want 1 (%v)", f, fields[f], ps)
		}
	}
	if ps.Field("title") == nil || ps.Field("nope") != nil {
		t.Error("Field lookup")
	}
}

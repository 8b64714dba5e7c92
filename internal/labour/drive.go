package labour

import (
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/field"
)

// Drive is a recruitment drive: a set of vacancies filled together from a
// pool of workers, with an optimal assignment and a pipeline board.
type Drive struct {
	ID        int64   `json:"id"`
	OrgID     int64   `json:"orgId"`
	Name      string  `json:"name"`
	Vacancies []int64 `json:"vacancies"`
	// Origins limits the pool to workers from these countries (empty: all
	// active workers with consent).
	Origins   []string  `json:"origins"`
	CreatedBy int64     `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
}

// MaxDriveVacancies bounds a drive.
const MaxDriveVacancies = 5000

// Check returns every problem of a drive's fields.
func (d Drive) Check() field.Problems {
	var ps field.Problems
	ps.Text("name", d.Name, true, false, MaxText)
	if len(d.Vacancies) == 0 {
		ps.Add("vacancies", "required", nil, "at least one vacancy")
	}
	if len(d.Vacancies) > MaxDriveVacancies {
		ps.Add("vacancies", "tooMany", map[string]any{"Max": MaxDriveVacancies}, "at most %d vacancies", MaxDriveVacancies)
	}
	seen := map[int64]bool{}
	for _, id := range d.Vacancies {
		if seen[id] {
			ps.Add("vacancies", "duplicate", nil, "vacancy %d is listed twice", id)
			break
		}
		seen[id] = true
	}
	for i, o := range d.Origins {
		if !ps.Country("origins["+strconv.Itoa(i)+"]", o, true) {
			break
		}
	}
	return ps
}

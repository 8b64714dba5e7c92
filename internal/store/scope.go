package store

import (
	"strings"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
)

// scopeColumns names, for one table, the columns a record scope filters on.
type scopeColumns struct {
	org   string // organisation column
	owner string // owning user column
	// team is an SQL expression true when the row belongs to one of the
	// teams in the placeholder list it is given ("%s" = "?, ?, ?").
	team string
}

// scopeSQL turns a principal's record scope into a WHERE condition, so
// listings are filtered in SQL, never after loading.
func scopeSQL(f auth.Filter, c scopeColumns) (string, []any) {
	switch {
	case f.None:
		return "1 = 0", nil
	case f.All:
		return "1 = 1", nil
	case f.OrgID != 0:
		return c.org + " = ?", []any{f.OrgID}
	}
	conds := []string{c.owner + " = ?"}
	args := []any{f.OwnerID}
	if len(f.TeamIDs) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(f.TeamIDs)), ", ")
		conds = append(conds, strings.ReplaceAll(c.team, "%s", ph))
		for _, t := range f.TeamIDs {
			args = append(args, t)
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// validText checks a free-text field for the store's own inputs.
func validText(field, s string, minLen, maxLen int) error {
	n := len([]rune(strings.TrimSpace(s)))
	if n < minLen || n > maxLen || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return derrors.Kindf(derrors.Invalid, "%s: %d to %d characters, no control characters", field, minLen, maxLen)
	}
	return nil
}

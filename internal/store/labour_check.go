package store

import (
	"context"
	"errors"
	"strconv"

	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/labour"
)

// checkOccupations checks occupations and skills against the ESCO/ISCO
// taxonomy: the ISCO unit group exists, the ESCO occupation exists and
// lies in that group, every skill id is a skill. Without an imported
// taxonomy only the shapes were checked (labour.Vacancy.Check) and nothing
// here can be: the error says to import it.
func (s *Labour) checkOccupations(ctx context.Context, path string, occs []labour.HeldOccupation, skills map[string][]int32) error {
	tax, err := s.db.LabourTaxonomy(ctx)
	if errors.Is(err, derrors.NotFound) {
		return derrors.Kindf(derrors.Invalid, "isco: the ESCO/ISCO taxonomy is not imported; run corridor import isco and corridor import esco")
	}
	if err != nil {
		return err
	}
	for i, o := range occs {
		prefix := ""
		if path != "" {
			prefix = path + "[" + strconv.Itoa(i) + "]."
		}
		g, ok := tax.ISCOGroup(o.ISCO)
		if !ok || g.Level != 4 {
			return derrors.Kindf(derrors.Invalid, "%sisco: %s is not an ISCO-08 unit group", prefix, o.ISCO)
		}
		if o.Occupation == "" {
			continue
		}
		occ, ok := tax.Occupation(o.Occupation)
		if !ok {
			return derrors.Kindf(derrors.Invalid, "%soccupation: no ESCO occupation %q", prefix, clipToken(o.Occupation))
		}
		if occ.ISCOGroup != o.ISCO {
			return derrors.Kindf(derrors.Invalid, "%soccupation: %s (%s) belongs to ISCO group %s, not %s", prefix, occ.Label, occ.Code, occ.ISCOGroup, o.ISCO)
		}
	}
	for name, ids := range skills {
		for i, id := range ids {
			if _, ok := tax.Skill(id); !ok {
				return derrors.Kindf(derrors.Invalid, "%s[%d]: no ESCO skill %d", name, i, id)
			}
		}
	}
	return nil
}

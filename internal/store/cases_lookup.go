package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// ReferralCaseID returns the case a referral belongs to, so that a route
// naming both (/api/v1/cases/{id}/referrals/{rid}/…) can refuse a
// mismatch before acting. It reveals nothing to the caller but the match
// (the web layer answers not found either way), and is not audited: the
// decision that follows is (DecideReferral).
func (s *Cases) ReferralCaseID(ctx context.Context, referralID int64) (caseID int64, err error) {
	defer derrors.Wrap(&err, "store.Cases.ReferralCaseID(%d)", referralID)
	err = s.db.queryRow(ctx, `SELECT case_id FROM case_referrals WHERE id = ?`, referralID).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, derrors.Kindf(derrors.NotFound, "no referral %d", referralID)
	}
	return caseID, classify(err)
}

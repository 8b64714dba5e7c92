package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/people"
	"github.com/corridor-platform/corridor/internal/store"
)

// BenchmarkSignIn measures POST /api/v1/session end to end: throttling
// checks, argon2id verification (19 MiB, 2 passes), session creation and
// the audit entry, on SQLite.
func BenchmarkSignIn(b *testing.B) {
	app := newTestApp(b, "")
	body := []byte(`{"username":"u-viewer","password":"` + pw("viewer") + `"}`)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/api/v1/session", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			app.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkPersonWrite shows what encryption and the audit trail add to
// storing one personal record: the same row as plaintext SQL, encrypted
// through the store, encrypted with its audit entry in the same
// transaction, and through the whole API (policy, CSRF, JSON).
func BenchmarkPersonWrite(b *testing.B) {
	app := newTestApp(b, "")
	ctx := context.Background()
	var owner int64
	app.db.SQL().QueryRow(`SELECT id FROM users WHERE username = 'u-case-worker'`).Scan(&owner)
	p := people.Person{OrgID: app.orgID, OwnerID: owner, GivenName: "Amina", FamilyName: "Yusuf", BirthDate: "1994-03-02",
		Sex: "female", Nationality: "KEN", DocumentType: "passport", DocumentNumber: "A1234567"}
	b.Run("plaintext-sql", func(b *testing.B) {
		for b.Loop() {
			err := app.db.InTx(ctx, func(tx *store.Tx) error {
				t := time.Now().UTC()
				_, err := tx.Exec(ctx, `INSERT INTO people (org_id, owner_id, given_name_enc, family_name_enc, name_index, birth_date_enc,
					sex, nationality, document_type, document_number_enc, document_index, key_id, version, created_at, updated_at)
					VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, '', '', 1, ?, ?)`, p.OrgID, p.OwnerID, p.GivenName, p.FamilyName,
					p.BirthDate, p.Sex, p.Nationality, p.DocumentType, p.DocumentNumber, t, t)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encrypted", func(b *testing.B) {
		for b.Loop() {
			if err := app.db.InTx(ctx, func(tx *store.Tx) error { _, err := app.db.People().Create(ctx, tx, p); return err }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encrypted+audit", func(b *testing.B) {
		for b.Loop() {
			err := app.db.InTx(ctx, func(tx *store.Tx) error {
				created, err := app.db.People().Create(ctx, tx, p)
				if err != nil {
					return err
				}
				_, err = app.db.Audit().AppendTx(ctx, tx, audit.Entry{ActorID: owner, ActorName: "u-case-worker", OrgID: app.orgID,
					Action: "create", Resource: "people", RecordID: strconv.FormatInt(created.ID, 10), Outcome: "ok", ClientAddr: "127.0.0.1"})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("api", func(b *testing.B) {
		s := app.sessions["case-worker"]
		body := []byte(`{"givenName":"Amina","familyName":"Yusuf","birthDate":"1994-03-02","sex":"female","nationality":"KEN","documentType":"passport","documentNumber":"A1234567"}`)
		for b.Loop() {
			req := httptest.NewRequest("POST", "/api/v1/people", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", s[1])
			req.AddCookie(&http.Cookie{Name: "corridor_session", Value: s[0]})
			rec := httptest.NewRecorder()
			app.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d %s", rec.Code, rec.Body)
			}
		}
	})
}

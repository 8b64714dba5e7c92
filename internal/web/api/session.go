package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/web"
	"github.com/corridor-platform/corridor/internal/web/webauth"
)

// decodeJSON reads a JSON body into v: the content type must be JSON, the
// body at most limit bytes, unknown fields and trailing data are errors
// that name what is wrong.
func decodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &web.ParamError{Param: "Content-Type", Reason: "must be application/json"}
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return derrors.Kindf(derrors.TooLarge, "body: larger than the limit")
		case errors.As(err, &se):
			return &web.ParamError{Param: "body", Reason: "malformed JSON at byte " + strconv.FormatInt(se.Offset, 10)}
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "body"
			}
			return &web.ParamError{Param: field, Reason: "must be " + jsonKind(te.Type.Kind().String())}
		case errors.Is(err, io.EOF):
			return &web.ParamError{Param: "body", Reason: "empty; a JSON object is required"}
		default:
			if f, ok := unknownField(err); ok {
				return &web.ParamError{Param: f, Reason: "unknown field"}
			}
			return &web.ParamError{Param: "body", Reason: "malformed JSON: " + err.Error()}
		}
	}
	if dec.More() {
		return &web.ParamError{Param: "body", Reason: "trailing data after the JSON object"}
	}
	return nil
}

func unknownField(err error) (string, bool) {
	const prefix = "json: unknown field "
	msg := err.Error()
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		f, uerr := strconv.Unquote(msg[len(prefix):])
		if uerr == nil {
			return f, true
		}
	}
	return "", false
}

// SessionRequest is the body of POST /api/v1/session.
type SessionRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// SessionInfo describes the signed-in user and the CSRF token that
// state-changing requests with the session cookie must send.
type SessionInfo struct {
	UserID      int64             `json:"userId"`
	Username    string            `json:"username"`
	OrgID       int64             `json:"orgId"`
	Roles       []string          `json:"roles"`
	Permissions []auth.Permission `json:"permissions"`
	CSRFToken   string            `json:"csrfToken,omitempty"`
}

func sessionInfo(p *auth.Principal, csrf string) SessionInfo {
	return SessionInfo{UserID: p.UserID, Username: p.Username, OrgID: p.OrgID, Roles: p.Roles, Permissions: p.Permissions(), CSRFToken: csrf}
}

func (a *API) createSession(w http.ResponseWriter, r *http.Request) {
	web.SkipAudit(r) // SignIn audits every attempt itself
	var req SessionRequest
	if err := decodeJSON(r, &req); err != nil {
		a.problem(w, r, err)
		return
	}
	old := web.IdentityFrom(r.Context()).Session
	if c, err := r.Cookie(auth.SessionCookie); err == nil && old == "" {
		old = c.Value // a stale or planted cookie: deleted, never reused
	}
	secret, csrf, p, err := a.auth.SignIn(r.Context(), req.Username, req.Password, web.ClientAddr(r), old)
	var te *webauth.ThrottledError
	if errors.As(err, &te) {
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(te.Until).Seconds())+1))
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	a.auth.SetSessionCookie(w, r, secret)
	web.WriteJSON(w, http.StatusCreated, sessionInfo(p, csrf))
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) {
	id := web.IdentityFrom(r.Context())
	web.WriteJSON(w, http.StatusOK, sessionInfo(id.Principal, id.CSRF))
}

func (a *API) deleteSession(w http.ResponseWriter, r *http.Request) {
	if err := a.auth.SignOut(w, r); err != nil {
		a.problem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "struct", "map":
		return "a JSON object"
	case "slice", "array":
		return "a JSON array"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	}
	return "of another type"
}

package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// The static assets are embedded in the binary: no CDN, nothing fetched
// at run time.
//
//go:embed static
var staticFiles embed.FS

// assets holds every static file with a content hash. Pages link to
// /static/<name>?v=<hash>; a request that carries the current hash may be
// cached for a year, since a changed file gets a new URL.
type assets struct {
	files map[string]asset // name relative to static/
}

type asset struct {
	body        []byte
	hash        string // first 12 hex digits of the SHA-256
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.files[p[len("static/"):]] = asset{body: body, hash: hex.EncodeToString(sum[:])[:12], contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ui: loading static assets: %w", err)
	}
	return a, nil
}

// url returns the versioned URL of an asset; an unknown name is an error
// that fails the template, and so the tests.
func (a *assets) url(name string) (string, error) {
	f, ok := a.files[name]
	if !ok {
		return "", fmt.Errorf("ui: no static asset %q", name)
	}
	return "/static/" + name + "?v=" + f.hash, nil
}

// serveAsset serves an embedded file with its hash as ETag. Only a request
// naming the current hash gets the long, immutable cache lifetime; others
// (an old hash, none) must revalidate.
func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) {
	f, ok := u.assets.files[r.PathValue("path")]
	if !ok {
		u.NotFoundPage(w, r, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", `"`+f.hash+`"`)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

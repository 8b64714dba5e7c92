package main

import (
	"errors"
	"net/netip"
	"time"

	"flag"
	"fmt"
	"github.com/corridor-platform/corridor/internal/crypt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

var errUsage = errors.New("usage")

// Config is the whole configuration of one command run, filled from flags
// with CORRIDOR_* environment variables as fallbacks. Nothing is global.
type Config struct {
	DB        string // SQLite file path or postgres:// URL
	Addr      string // listen address
	DataDir   string // shipped datasets
	LogLevel  string // debug, info, warn, error
	LogFormat string // text or json
	BodyLimit int64  // maximum request body in bytes
	NoLoad    bool   // serve: do not load the reference data on first start
	Load      string // serve: which shipped datasets to load when missing: all, reference, none

	KeyFile        string // encryption keys for personal data (JSON key file)
	TLSCert        string // serve over HTTPS with this certificate …
	TLSKey         string // … and key
	TrustedProxies string // comma-separated CIDRs whose X-Forwarded-For is believed
	SecureCookies  bool   // set Secure on cookies (behind a TLS-terminating proxy)
	// RecheckMS is how long (milliseconds) serve reuses a version read from
	// the database (reference data, roles, datasets) before asking again:
	// another process's import or role change shows within it; this
	// process's own changes at once. 0 asks on every request.
	RecheckMS int64
}

// flagSpec describes one configuration flag.
type flagSpec struct {
	name, env, def, help string
	target               func(c *Config) any
}

var configFlags = []flagSpec{
	{"db", "CORRIDOR_DB", "corridor.db", "database: a SQLite file path or a postgres:// URL", func(c *Config) any { return &c.DB }},
	{"addr", "CORRIDOR_ADDR", "127.0.0.1:8080", "address to listen on", func(c *Config) any { return &c.Addr }},
	{"data-dir", "CORRIDOR_DATA_DIR", "", "directory of the shipped datasets (default: ./data, else data/ beside the binary)", func(c *Config) any { return &c.DataDir }},
	{"log-level", "CORRIDOR_LOG_LEVEL", "info", "log level: debug, info, warn, error", func(c *Config) any { return &c.LogLevel }},
	{"log-format", "CORRIDOR_LOG_FORMAT", "text", "log format: text or json", func(c *Config) any { return &c.LogFormat }},
	{"body-limit", "CORRIDOR_BODY_LIMIT", "1048576", "largest request body accepted, in bytes", func(c *Config) any { return &c.BodyLimit }},
	{"no-load", "CORRIDOR_NO_LOAD", "false", "serve: load no shipped data (same as --load none)", func(c *Config) any { return &c.NoLoad }},
	{"load", "CORRIDOR_LOAD", "all", "serve: shipped datasets to load when missing: all, reference (countries only) or none", func(c *Config) any { return &c.Load }},
	{"key-file", "CORRIDOR_KEY_FILE", "", "key file for personal data (create with: corridor keys generate --out FILE); or put the key itself in CORRIDOR_KEY", func(c *Config) any { return &c.KeyFile }},
	{"tls-cert", "CORRIDOR_TLS_CERT", "", "serve HTTPS with this certificate file (PEM)", func(c *Config) any { return &c.TLSCert }},
	{"tls-key", "CORRIDOR_TLS_KEY", "", "private key of --tls-cert (PEM)", func(c *Config) any { return &c.TLSKey }},
	{"trusted-proxies", "CORRIDOR_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted", func(c *Config) any { return &c.TrustedProxies }},
	{"recheck-ms", "CORRIDOR_RECHECK_MS", "1000", "serve: milliseconds a data or roles version read from the database is reused; changes by other processes show within it (0: check on every request)", func(c *Config) any { return &c.RecheckMS }},
	{"secure-cookies", "CORRIDOR_SECURE_COOKIES", "false", "mark cookies Secure (set when a TLS proxy is in front)", func(c *Config) any { return &c.SecureCookies }},
}

// newFlagSet registers the named configuration flags on a new flag set;
// defaults come from the environment when set there.
func newFlagSet(name string, e *env, cfg *Config, names ...string) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: corridor %s [flags]\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	for _, n := range names {
		spec, ok := findFlag(n)
		if !ok {
			panic("unknown config flag " + n)
		}
		def := spec.def
		if v := e.getenv(spec.env); v != "" {
			def = v
		}
		help := fmt.Sprintf("%s (env %s)", spec.help, spec.env)
		switch p := spec.target(cfg).(type) {
		case *string:
			fs.StringVar(p, spec.name, def, help)
		case *int64:
			n, err := strconv.ParseInt(def, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s=%q: not a whole number", spec.env, def)
			}
			fs.Int64Var(p, spec.name, n, help)
		case *bool:
			b, err := strconv.ParseBool(def)
			if err != nil {
				return nil, fmt.Errorf("%s=%q: not true or false", spec.env, def)
			}
			fs.BoolVar(p, spec.name, b, help)
		}
	}
	return fs, nil
}

func findFlag(name string) (flagSpec, bool) {
	for _, f := range configFlags {
		if f.name == name {
			return f, true
		}
	}
	return flagSpec{}, false
}

// parse parses args; -h prints help and returns errUsage-free nil
// handling to the caller through flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return errUsage
	}
	return nil
}

// validate checks values that flags cannot check by type.
func (c *Config) validate() error {
	if strings.TrimSpace(c.DB) == "" {
		return errors.New("--db: must not be empty")
	}
	if c.BodyLimit < 1024 || c.BodyLimit > 1<<30 {
		return fmt.Errorf("--body-limit: %d is outside 1024..%d", c.BodyLimit, 1<<30)
	}
	if c.RecheckMS < 0 || c.RecheckMS > 60000 {
		return fmt.Errorf("--recheck-ms: %d is outside 0..60000", c.RecheckMS)
	}
	switch c.Load {
	case "", "all", "reference", "none":
	default:
		return fmt.Errorf("--load: %q is not all, reference or none", c.Load)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
	}
	return nil
}

// resolveDataDir finds the shipped data directory.
func (c *Config) resolveDataDir() error {
	if c.DataDir != "" {
		if st, err := os.Stat(c.DataDir); err != nil || !st.IsDir() {
			return fmt.Errorf("--data-dir: %s is not a directory", c.DataDir)
		}
		return nil
	}
	candidates := []string{"data"}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "data"))
	}
	for _, d := range candidates {
		if st, err := os.Stat(filepath.Join(d, "iso3166-un-m49")); err == nil && st.IsDir() {
			c.DataDir = d
			return nil
		}
	}
	return fmt.Errorf("--data-dir: no shipped data found in %s; run from the repository root or set --data-dir", strings.Join(candidates, " or "))
}

func (c *Config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// trustedProxies parses --trusted-proxies.
func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			if a, err := netip.ParseAddr(s); err == nil {
				out = append(out, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// keys loads the encryption keys: --key-file (watched, so a rotated file
// is picked up without restart), else CORRIDOR_KEY; nil when neither is
// set.
func (c *Config) keys(getenv func(string) string) (crypt.Source, func(), error) {
	if c.KeyFile != "" {
		r, err := crypt.WatchFile(c.KeyFile, 10*time.Second)
		if err != nil {
			return nil, nil, fmt.Errorf("--key-file: %w", err)
		}
		return r, func() { r.Close() }, nil
	}
	if v := getenv("CORRIDOR_KEY"); v != "" {
		k, err := crypt.FromEnv(v)
		if err != nil {
			return nil, nil, err // FromEnv's message names CORRIDOR_KEY
		}
		return k, func() {}, nil
	}
	return nil, func() {}, nil
}

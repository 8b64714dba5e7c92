package main

// corridor org add|list and corridor user add|passwd|disable|enable|list:
// the administration of organisations and accounts from the command line.
// The first administrator is created this way (there is no default
// password, ever):
//
//	corridor org add --name "Ministry of Labour" --kind government --country KEN
//	corridor user add --username admin --org "Ministry of Labour" --full-name "…" --role system-admin --key-file corridor.key
//
// Passwords are never taken from a flag (flags show in ps and in shell
// history): from a terminal they are read twice without echo; otherwise
// the first line of standard input is the password, so scripts can pipe
// it (printf '%s\n' "$PW" | corridor user add …).

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/corridor-platform/corridor/internal/audit"
	"github.com/corridor-platform/corridor/internal/auth"
	"github.com/corridor-platform/corridor/internal/derrors"
	"github.com/corridor-platform/corridor/internal/geo"
	"github.com/corridor-platform/corridor/internal/store"
	"golang.org/x/term"
)

// cliActor is the ActorName of audit entries written by CLI commands.
const cliActor = "cli"

// subcommand is one verb of a command group (org add, user list, …).
type subcommand struct {
	name, summary string
	run           func(ctx context.Context, e *env, name string, args []string) error
}

// runGroup dispatches a command group to its subcommand.
func runGroup(ctx context.Context, e *env, group string, subs []subcommand, args []string) error {
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: corridor %s SUBCOMMAND [flags]\n\nSubcommands:\n", group)
		for _, s := range subs {
			fmt.Fprintf(w, "  %-9s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(w, "\nRun corridor %s SUBCOMMAND -h for its flags.\n", group)
	}
	if len(args) == 0 {
		help(e.stderr)
		return errUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		help(e.stderr)
		return nil
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, e, "corridor "+group+" "+s.name, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "corridor %s: unknown subcommand %q\n\n", group, args[0])
	help(e.stderr)
	return errUsage
}

// cmdFlags makes the flag set of a subcommand with its usage text: the
// usage line, then what it does, then the flags.
func cmdFlags(e *env, cfg *Config, name, usageLine, about string, config ...string) (*flag.FlagSet, error) {
	fs, err := newFlagSet(name, e, cfg, config...)
	if err != nil {
		return nil, err
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\nFlags:\n", usageLine, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs, nil
}

// parseCmd parses the flags of a subcommand, which takes no arguments.
func parseCmd(e *env, fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, "unexpected argument %q (every value is given by a flag)", fs.Arg(0))
	}
	return nil
}

// usageError prints a usage problem and returns errUsage (exit status 2).
func usageError(e *env, fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(e.stderr, "%s: %s\nRun %s -h for help.\n", fs.Name(), fmt.Sprintf(format, args...), fs.Name())
	return errUsage
}

// required reports the first of the named flags left empty, as a usage
// error.
func required(e *env, fs *flag.FlagSet, flags ...string) error {
	for _, name := range flags {
		if f := fs.Lookup(name); f != nil && strings.TrimSpace(f.Value.String()) == "" {
			return usageError(e, fs, "--%s is required", name)
		}
	}
	return nil
}

// cliLogger validates the configuration of a CLI command and returns its
// logger (on stderr; the commands' results go to stdout).
func cliLogger(cfg *Config, e *env) (*slog.Logger, error) {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20 // not a flag of these commands
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg.logger(e.stderr), nil
}

// openPersonal opens the database of a command that reads or writes
// personal data: migrated, built-in roles present, keys loaded and checked
// against the stored data (see openWithKeys).
func openPersonal(ctx context.Context, e *env, cfg *Config) (*store.DB, func(), error) {
	log, err := cliLogger(cfg, e)
	if err != nil {
		return nil, nil, err
	}
	db, closeKeys, err := openWithKeys(ctx, e, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	return db, func() { closeKeys(); db.Close() }, nil
}

// cliEntry is the audit entry of an action taken through the CLI.
func cliEntry(action, resource, recordID, detail string) audit.Entry {
	return audit.Entry{ActorName: cliActor, Action: action, Resource: resource, RecordID: recordID,
		Outcome: audit.OutcomeOK, Detail: detail}
}

// flagError turns the field name that starts a validation message
// ("fullName: is required") into the flag that set it ("--full-name: is
// required"). Other errors pass unchanged.
func flagError(err error, fields map[string]string) error {
	if err == nil {
		return nil
	}
	if k := derrors.Kind(err); k != derrors.Invalid && k != derrors.NotFound && k != derrors.Conflict {
		return err
	}
	msg := derrors.Message(err)
	if field, rest, ok := strings.Cut(msg, ": "); ok {
		if f, ok := fields[field]; ok {
			return fmt.Errorf("%s: %s", f, rest)
		}
		if field == "password" {
			return fmt.Errorf("password (standard input): %s", rest)
		}
	}
	return err
}

var userFields = map[string]string{"username": "--username", "fullName": "--full-name", "email": "--email",
	"orgId": "--org", "roles": "--role", "teamIds": "--team"}

var orgFields = map[string]string{"name": "--name", "kind": "--kind", "country": "--country"}

// ---- password input

// readPassword reads a new password: from a terminal twice without echo
// (the two must agree), otherwise the first line of standard input. It is
// never taken from a flag or the environment.
func readPassword(e *env, username string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		read := func(prompt string) (string, error) {
			fmt.Fprint(e.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return string(b), err
		}
		pw, err := read(fmt.Sprintf("New password for %s: ", username))
		if err != nil {
			return "", fmt.Errorf("password: %w", err)
		}
		if err := auth.ValidatePassword(pw, username); err != nil {
			return "", flagError(err, nil)
		}
		again, err := read("Repeat the password: ")
		if err != nil {
			return "", fmt.Errorf("password: %w", err)
		}
		if again != pw {
			return "", errors.New("password: the two entries differ; nothing was changed")
		}
		return pw, nil
	}
	if e.stdin == nil {
		return "", errors.New("password: no standard input to read it from (pipe one line, or run from a terminal)")
	}
	// Not a terminal: one line. Bounded, so a wrong redirect (a large
	// file) fails fast instead of being read whole.
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4*auth.MaxPasswordLength+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("password (standard input): %w", err)
	}
	if err == io.EOF && len(line) > 4*auth.MaxPasswordLength {
		return "", fmt.Errorf("password (standard input): the first line is longer than %d characters", auth.MaxPasswordLength)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", errors.New("password (standard input): empty; pipe the password as one line, or run from a terminal to be asked for it")
	}
	if err := auth.ValidatePassword(pw, username); err != nil {
		return "", flagError(err, nil)
	}
	return pw, nil
}

// ---- repeatable flags

type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

type idsFlag []int64

func (s *idsFlag) String() string {
	var out []string
	for _, id := range *s {
		out = append(out, strconv.FormatInt(id, 10))
	}
	return strings.Join(out, ",")
}

func (s *idsFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%q is not a team id (a positive whole number)", p)
		}
		*s = append(*s, id)
	}
	return nil
}

// ---- organisations

func runOrg(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "org", []subcommand{
		{"add", "add an organisation", runOrgAdd},
		{"list", "list the organisations", runOrgList},
	}, args)
}

func runOrgAdd(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --name NAME --kind KIND --country ISO3 [--db DB]",
		`Adds an organisation. The country must be in the reference geography,
which is loaded from --data-dir into an empty database first (as serve does).`,
		"db", "data-dir", "log-level", "log-format")
	if err != nil {
		return err
	}
	orgName := fs.String("name", "", "the organisation's name (unique)")
	kind := fs.String("kind", "", "kind of organisation: "+strings.Join(auth.OrgKinds, ", "))
	country := fs.String("country", "", "country of the organisation: ISO 3166-1 alpha-3 code, e.g. KEN")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := required(e, fs, "name", "kind", "country"); err != nil {
		return err
	}
	o := auth.Org{Name: strings.TrimSpace(*orgName), Kind: strings.TrimSpace(*kind), Country: strings.ToUpper(strings.TrimSpace(*country))}
	if err := o.Validate(); err != nil {
		return flagError(err, orgFields)
	}
	log, err := cliLogger(&cfg, e)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.Load = "reference"
	if err := loadShippedData(ctx, e, &cfg, db, log); err != nil {
		return fmt.Errorf("--country: the reference geography is needed to check it and could not be loaded: %w", err)
	}
	area, err := db.Geo().Area(ctx, o.Country)
	if errors.Is(err, derrors.NotFound) || err == nil && (area.Kind != geo.KindCountry || area.ISO3 == "") {
		return fmt.Errorf("--country: %q is not a country code of the reference geography (use ISO 3166-1 alpha-3, e.g. KEN)", o.Country)
	} else if err != nil {
		return err
	}
	o.Country = area.ISO3
	if _, err := db.Accounts().OrgByName(ctx, o.Name); err == nil {
		return fmt.Errorf("--name: an organisation named %q exists", o.Name)
	} else if !errors.Is(err, derrors.NotFound) {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = db.Accounts().CreateOrg(ctx, tx, o); err != nil {
			return err
		}
		_, err = db.Audit().AppendTx(ctx, tx, cliEntry(audit.ActionCreate, "orgs", strconv.FormatInt(o.ID, 10),
			fmt.Sprintf("organisation %s, kind %s, country %s", clipText(o.Name, 200), o.Kind, o.Country)))
		return err
	})
	if err != nil {
		return flagError(err, orgFields)
	}
	fmt.Fprintf(e.stdout, "added organisation %d %q (%s, %s %s)\n", o.ID, o.Name, o.Kind, o.Country, area.Name)
	return nil
}

func runOrgList(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" [--db DB]", "Lists the organisations: id, name, kind, country.",
		"db", "log-level", "log-format")
	if err != nil {
		return err
	}
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	log, err := cliLogger(&cfg, e)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	orgs, err := db.Accounts().Orgs(ctx, auth.Filter{All: true})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tCOUNTRY")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", o.ID, o.Name, o.Kind, o.Country)
	}
	return tw.Flush()
}

// findOrg resolves --org: an organisation's exact name, else its id.
func findOrg(ctx context.Context, db *store.DB, v string) (auth.Org, error) {
	v = strings.TrimSpace(v)
	o, err := db.Accounts().OrgByName(ctx, v)
	if errors.Is(err, derrors.NotFound) {
		if id, perr := strconv.ParseInt(v, 10, 64); perr == nil && id > 0 {
			o, err = db.Accounts().Org(ctx, id)
		}
	}
	if errors.Is(err, derrors.NotFound) {
		return o, fmt.Errorf("--org: no organisation named or numbered %q (see corridor org list)", v)
	}
	return o, err
}

// clipText shortens s to at most n bytes on a rune boundary, for audit
// details.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ---- users

func runUser(ctx context.Context, e *env, args []string) error {
	return runGroup(ctx, e, "user", []subcommand{
		{"add", "add a user account (the password is read from the terminal or standard input)", runUserAdd},
		{"passwd", "set a user's password (read from the terminal or standard input)", runUserPasswd},
		{"disable", "disable an account: its sessions end and its API tokens are revoked", runUserDisable},
		{"enable", "enable a disabled account", runUserEnable},
		{"list", "list the accounts (full names and e-mails only with --show-names)", runUserList},
	}, args)
}

var passwordHelp = `The password is never a flag (flags show in ps and in shell history). On a
terminal it is asked twice without echo; otherwise the first line of
standard input is the password, so that scripts can pipe it:
    printf '%s\n' "$PASSWORD" | corridor user ...
It must have at least ` + minPasswordText + ` characters, not be the username, and not be on the
list of common passwords.`

var minPasswordText = strconv.Itoa(auth.MinPasswordLength)

func runUserAdd(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name,
		name+` --username U --org NAME_OR_ID --full-name "FULL NAME" [--email E] [--role ROLE]... [--team ID]... --key-file FILE [--db DB]`,
		`Adds a user account. Full name and e-mail are personal data: they are
stored encrypted under the key of --key-file (or CORRIDOR_KEY).
The first administrator is created this way:
    corridor user add --username admin --org ORG --full-name "…" --role system-admin

`+passwordHelp, "db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	username := fs.String("username", "", "the sign-in name (lower-case letters, digits, . _ -)")
	orgRef := fs.String("org", "", "the user's organisation: its name or id (see corridor org list)")
	fullName := fs.String("full-name", "", "the user's full name (personal data, stored encrypted)")
	email := fs.String("email", "", "the user's e-mail address (optional; stored encrypted)")
	var roles stringsFlag
	var teams idsFlag
	fs.Var(&roles, "role", "a role to give (repeat, or separate by commas): "+strings.Join(assignableRoles(), ", "))
	fs.Var(&teams, "team", "a team of the organisation to join, by id (repeat, or separate by commas)")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := required(e, fs, "username", "org", "full-name"); err != nil {
		return err
	}
	db, done, err := openPersonal(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	org, err := findOrg(ctx, db, *orgRef)
	if err != nil {
		return err
	}
	u := auth.User{Username: auth.NormalizeUsername(*username), OrgID: org.ID, FullName: strings.TrimSpace(*fullName),
		Email: strings.TrimSpace(*email), Roles: slices.Compact(slices.Sorted(slices.Values(roles))), TeamIDs: teams}
	if u.Roles == nil {
		u.Roles = []string{}
	}
	if err := u.Validate(); err != nil {
		return flagError(err, userFields)
	}
	if _, err := db.Accounts().UserID(ctx, u.Username); err == nil {
		return fmt.Errorf("--username: %q is taken", u.Username)
	} else if !errors.Is(err, derrors.NotFound) {
		return err
	}
	if err := checkRoles(ctx, db, u.Roles); err != nil {
		return err
	}
	if err := checkTeams(ctx, db, org, u.TeamIDs); err != nil {
		return err
	}
	if !db.KeysConfigured() {
		return fmt.Errorf("--key-file: %w", store.ErrNoKey)
	}
	pw, err := readPassword(e, u.Username)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = db.Accounts().CreateUser(ctx, tx, u, pw); err != nil {
			return err
		}
		detail := fmt.Sprintf("user %s in organisation %d, roles [%s]", u.Username, u.OrgID, strings.Join(u.Roles, ", "))
		_, err = db.Audit().AppendTx(ctx, tx, cliEntry(audit.ActionCreate, "users", strconv.FormatInt(u.ID, 10), clipText(detail, audit.MaxDetailLen)))
		return err
	})
	if err != nil {
		if errors.Is(err, derrors.Conflict) {
			return fmt.Errorf("--username: %q is taken", u.Username)
		}
		return flagError(err, userFields)
	}
	fmt.Fprintf(e.stdout, "added user %d %s (organisation %q, roles: %s)\n", u.ID, u.Username, org.Name, rolesText(u.Roles))
	return nil
}

// assignableRoles are the built-in roles a user can be given.
func assignableRoles() []string {
	var out []string
	for _, r := range auth.BuiltinRoles() {
		if r.Name != auth.RolePublic && r.Name != auth.RoleSignedIn {
			out = append(out, r.Name)
		}
	}
	return out
}

func checkRoles(ctx context.Context, db *store.DB, names []string) error {
	all, err := db.Accounts().Roles(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == auth.RolePublic || n == auth.RoleSignedIn {
			return fmt.Errorf("--role: %q is implicit (everyone has it) and cannot be given", n)
		}
		if _, ok := all[n]; !ok {
			var names []string
			for k := range all {
				if k != auth.RolePublic && k != auth.RoleSignedIn {
					names = append(names, k)
				}
			}
			slices.Sort(names)
			return fmt.Errorf("--role: no role %q (roles: %s)", n, strings.Join(names, ", "))
		}
	}
	return nil
}

func checkTeams(ctx context.Context, db *store.DB, org auth.Org, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	teams, err := db.Accounts().Teams(ctx, org.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(teams, func(t auth.Team) bool { return t.ID == id }) {
			return fmt.Errorf("--team: no team %d in organisation %q", id, org.Name)
		}
	}
	return nil
}

func rolesText(roles []string) string {
	if len(roles) == 0 {
		return "none"
	}
	return strings.Join(roles, ",")
}

// userCmd parses the flags of a subcommand that acts on one user named by
// --username and opens the database.
func userCmd(ctx context.Context, e *env, name, about string, args []string) (db *store.DB, done func(), username string, id int64, err error) {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" --username U --key-file FILE [--db DB]", about,
		"db", "key-file", "log-level", "log-format")
	if err != nil {
		return nil, nil, "", 0, err
	}
	u := fs.String("username", "", "the account's username")
	if err := parseCmd(e, fs, args); err != nil {
		return nil, nil, "", 0, helpOK(err)
	}
	if err := required(e, fs, "username"); err != nil {
		return nil, nil, "", 0, err
	}
	db, done, err = openPersonal(ctx, e, &cfg)
	if err != nil {
		return nil, nil, "", 0, err
	}
	username = auth.NormalizeUsername(*u)
	id, err = db.Accounts().UserID(ctx, username)
	if err != nil {
		done()
		if errors.Is(err, derrors.NotFound) {
			return nil, nil, "", 0, fmt.Errorf("--username: no user %q (see corridor user list)", username)
		}
		return nil, nil, "", 0, err
	}
	return db, done, username, id, nil
}

func runUserPasswd(ctx context.Context, e *env, name string, args []string) error {
	db, done, username, id, err := userCmd(ctx, e, name, `Sets a user's password and ends their sessions (also unlocks a locked account).

`+passwordHelp, args)
	if db == nil {
		return err
	}
	defer done()
	pw, err := readPassword(e, username)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := db.Accounts().SetPassword(ctx, tx, id, pw, ""); err != nil {
			return err
		}
		_, err := db.Audit().AppendTx(ctx, tx, cliEntry(audit.ActionUpdate, "users", strconv.FormatInt(id, 10), "password set; sessions ended"))
		return err
	})
	if err != nil {
		return flagError(err, userFields)
	}
	fmt.Fprintf(e.stdout, "password of %s changed; their sessions were ended\n", username)
	return nil
}

func runUserDisable(ctx context.Context, e *env, name string, args []string) error {
	return setDisabled(ctx, e, name, args, true)
}

func runUserEnable(ctx context.Context, e *env, name string, args []string) error {
	return setDisabled(ctx, e, name, args, false)
}

func setDisabled(ctx context.Context, e *env, name string, args []string, disabled bool) error {
	about := "Disables an account: it can no longer sign in, its sessions end and its API tokens are revoked."
	if !disabled {
		about = "Enables a disabled account (revoked API tokens stay revoked)."
	}
	db, done, username, id, err := userCmd(ctx, e, name, about, args)
	if db == nil {
		return err
	}
	defer done()
	what := map[bool]string{true: "disabled", false: "enabled"}[disabled]
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := db.Accounts().SetDisabled(ctx, tx, username, disabled); err != nil {
			return err
		}
		detail := "account " + what
		if disabled {
			detail += "; sessions ended, API tokens revoked"
		}
		_, err := db.Audit().AppendTx(ctx, tx, cliEntry(audit.ActionUpdate, "users", strconv.FormatInt(id, 10), detail))
		return err
	})
	if err != nil {
		return err
	}
	if disabled {
		fmt.Fprintf(e.stdout, "user %s disabled: sessions ended, API tokens revoked\n", username)
	} else {
		fmt.Fprintf(e.stdout, "user %s enabled\n", username)
	}
	return nil
}

func runUserList(ctx context.Context, e *env, name string, args []string) error {
	var cfg Config
	fs, err := cmdFlags(e, &cfg, name, name+" [--org NAME_OR_ID] [--show-names] --key-file FILE [--db DB]",
		`Lists the accounts: id, username, organisation, roles, disabled. Full
names and e-mail addresses are personal data: they are shown only with
--show-names, and that reading is recorded in the audit trail.`,
		"db", "key-file", "log-level", "log-format")
	if err != nil {
		return err
	}
	orgRef := fs.String("org", "", "only the users of this organisation (name or id)")
	showNames := fs.Bool("show-names", false, "also show full names and e-mail addresses (audited)")
	if err := parseCmd(e, fs, args); err != nil {
		return helpOK(err)
	}
	db, done, err := openPersonal(ctx, e, &cfg)
	if err != nil {
		return err
	}
	defer done()
	orgs, err := db.Accounts().Orgs(ctx, auth.Filter{All: true})
	if err != nil {
		return err
	}
	orgName := map[int64]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	filter := auth.Filter{All: true}
	if *orgRef != "" {
		o, err := findOrg(ctx, db, *orgRef)
		if err != nil {
			return err
		}
		filter = auth.Filter{OrgID: o.ID}
	}
	var users []auth.User
	const page = 500
	for offset := 0; ; offset += page {
		batch, _, err := db.Accounts().Users(ctx, filter, page, offset)
		if err != nil {
			return err
		}
		users = append(users, batch...)
		if len(batch) < page {
			break
		}
	}
	if *showNames {
		// Record the reading before showing anything.
		detail := fmt.Sprintf("full names and e-mails of %d users listed", len(users))
		if *orgRef != "" {
			detail += fmt.Sprintf(" (organisation %d)", filter.OrgID)
		}
		if _, err := db.Audit().Append(ctx, cliEntry(audit.ActionRead, "users", "", detail)); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	head := "ID\tUSERNAME\tORG\tROLES\tDISABLED"
	if *showNames {
		head += "\tFULL NAME\tEMAIL"
	}
	fmt.Fprintln(tw, head)
	for _, u := range users {
		org := orgName[u.OrgID]
		if org == "" {
			org = strconv.FormatInt(u.OrgID, 10)
		}
		disabled := "no"
		if u.Disabled {
			disabled = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s", u.ID, u.Username, org, rolesText(u.Roles), disabled)
		if *showNames {
			fmt.Fprintf(tw, "\t%s\t%s", u.FullName, u.Email)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

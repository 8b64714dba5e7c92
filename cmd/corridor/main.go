// Command corridor is the Corridor platform: one binary that serves the
// web application and API, imports datasets and migrates the database.
//
//	corridor serve            start the platform (SQLite corridor.db by default)
//	corridor import DATASET   import a dataset (corridor import --list)
//	corridor migrate          apply database migrations
//	corridor org|user         administer organisations and accounts
//	corridor audit verify     check the audit trail's hash chain
//	corridor keys rotate      rotate the encryption keys of personal data
//	corridor version          print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// Main runs the program and returns its exit code; tests call it in-process.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	err := run(ctx, &env{args: args, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv})
	if err == nil {
		return 0
	}
	if err == errUsage {
		return 2
	}
	fmt.Fprintln(stderr, "corridor:", err)
	return 1
}

// env is everything the program takes from its surroundings.
type env struct {
	args []string
	// stdin is where passwords come from (never from flags): read without
	// echo when it is a terminal, else one line.
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// ready, when set, receives the server's address once it listens.
	ready func(addr string)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "start the web application and API", runServe},
		{"import", "import a dataset (corridor import --list)", runImport},
		{"migrate", "apply the database migrations (--status to show them)", runMigrate},
		{"org", "add and list organisations (org add|list)", runOrg},
		{"user", "manage user accounts (user add|passwd|disable|enable|list)", runUser},
		{"audit", "verify and export the audit trail (audit verify|export)", runAudit},
		{"cases", "generate a synthetic caseload of fictitious cases (cases generate)", runCases},
		{"release", "build and verify de-identified releases of counter-trafficking data (release build|verify)", runRelease},
		{"trafficking", "list and remove the public counter-trafficking sources (trafficking list|remove)", runTrafficking},
		{"labour", "generate the labour-mobility benchmark population (labour generate)", runLabour},
		{"keys", "generate and rotate the encryption keys of personal data (keys generate|rotate|retire)", runKeys},
		{"version", "print the version", runVersion},
	}
}

func run(ctx context.Context, e *env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		usage(e.stderr)
		if len(e.args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == e.args[0] {
			return c.run(ctx, e, e.args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "corridor: unknown command %q\n\n", e.args[0])
	usage(e.stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: corridor COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun corridor COMMAND -h for the flags of a command; every flag also reads CORRIDOR_<FLAG> from the environment.")
}

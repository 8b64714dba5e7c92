// Command loadtest measures Corridor against a bare net/http handler side
// by side with wrk, as the performance targets ask: for each path it
// fetches Corridor's answer once, serves exactly those bytes (with the same
// Content-Type) from memory through a bare handler, and runs wrk against
// both, one after the other, with the same connections and duration.
//
//	go build -o /tmp/corridor ./cmd/corridor && /tmp/corridor serve --log-level warn &
//	go run ./tools/loadtest -base http://127.0.0.1:8080 -c 32 -d 10s /api/v1/countries/KEN
//
// It prints a Markdown table: requests/s and p99 latency of each, and the
// ratio. wrk (Debian package wrk) must be on the PATH.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type result struct {
	rps    float64
	p99    time.Duration
	non2xx int
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "Corridor's base URL")
	conns := fs.Int("c", 32, "concurrent connections")
	threads := fs.Int("t", 2, "wrk threads")
	dur := fs.Duration("d", 10*time.Second, "duration of each run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("give one or more paths, e.g. /api/v1/countries/KEN")
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install wrk)")
	}
	fmt.Fprintf(out, "| path | Corridor req/s | Corridor p99 | bare handler req/s | bare p99 | ratio |\n|---|---|---|---|---|---|\n")
	for _, path := range fs.Args() {
		body, ctype, err := fetch(*base + path)
		if err != nil {
			return err
		}
		bare, stop, err := serveBytes(body, ctype)
		if err != nil {
			return err
		}
		c, err := wrk(*base+path, *threads, *conns, *dur)
		if err != nil {
			stop()
			return err
		}
		b, err := wrk(bare+path, *threads, *conns, *dur)
		stop()
		if err != nil {
			return err
		}
		if c.non2xx > 0 {
			return fmt.Errorf("%s: %d answers were not 2xx", path, c.non2xx)
		}
		fmt.Fprintf(out, "| `%s` (%d bytes) | %.0f | %s | %.0f | %s | %.2f |\n",
			path, len(body), c.rps, c.p99, b.rps, b.p99, c.rps/b.rps)
	}
	return nil
}

// fetch returns the body and content type of one answer, which must be 200.
func fetch(url string) ([]byte, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// serveBytes starts the bare handler: the same bytes for every request.
func serveBytes(body []byte, ctype string) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Shutdown(context.Background()) }, nil
}

var (
	rpsRE    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	p99RE    = regexp.MustCompile(`\n\s+99%\s+([0-9.]+)(us|ms|s)`)
	non2xxRE = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

func wrk(url string, threads, conns int, d time.Duration) (result, error) {
	var buf bytes.Buffer
	cmd := exec.Command("wrk", "--latency", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", strconv.Itoa(int(d.Seconds()))+"s", url)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("wrk %s: %v\n%s", url, err, buf.String())
	}
	return parseWrk(buf.String())
}

// parseWrk reads requests/s, the 99th percentile and the non-2xx count
// from wrk's report.
func parseWrk(s string) (result, error) {
	var r result
	m := rpsRE.FindStringSubmatch(s)
	p := p99RE.FindStringSubmatch(s)
	if m == nil || p == nil {
		return r, fmt.Errorf("unexpected wrk output:\n%s", s)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	v, _ := strconv.ParseFloat(p[1], 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[p[2]]
	r.p99 = time.Duration(v * float64(unit)).Round(time.Microsecond)
	if n := non2xxRE.FindStringSubmatch(s); n != nil {
		r.non2xx, _ = strconv.Atoi(n[1])
	}
	if strings.Contains(s, "Socket errors") {
		return r, fmt.Errorf("wrk reported socket errors:\n%s", s)
	}
	return r, nil
}

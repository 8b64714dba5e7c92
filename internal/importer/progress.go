package importer

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/corridor-platform/corridor/internal/tabular"
)

// Progress shows how an import advances: a bar with rows, rate and time
// left on a terminal, a plain line every few seconds otherwise (logs, CI).
type Progress struct {
	out     io.Writer
	dataset string
	rows    atomic.Int64
	mu      sync.Mutex
	file    string
	reader  tabular.Reader
	bar     *progressbar.ProgressBar
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newProgress(out io.Writer, dataset string, every time.Duration) *Progress {
	p := &Progress{out: out, dataset: dataset, done: make(chan struct{})}
	if out == nil {
		return p
	}
	interval := every
	if interval <= 0 {
		interval = 5 * time.Second
	}
	if isTerminal(out) {
		interval = 150 * time.Millisecond
	}
	p.wg.Add(1)
	go p.loop(interval)
	return p
}

func (p *Progress) source(name string, r tabular.Reader) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.file, p.reader = name, r
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.out)
		p.bar = nil
	}
}

func (p *Progress) loop(interval time.Duration) {
	defer p.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-p.done:
			p.render(start, true)
			return
		case <-t.C:
			p.render(start, false)
		}
	}
}

func (p *Progress) render(start time.Time, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reader == nil {
		return
	}
	done, total := p.reader.Progress()
	rows := p.rows.Load()
	if !isTerminal(p.out) {
		if final {
			return
		}
		rate := float64(rows) / time.Since(start).Seconds()
		pct := ""
		if total > 0 {
			pct = fmt.Sprintf(" (%.0f%% of %s)", 100*float64(done)/float64(total), p.file)
		}
		fmt.Fprintf(p.out, "import %s: %d rows%s, %.0f rows/s\n", p.dataset, rows, pct, rate)
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(max(total, 1),
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(p.file),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
	}
	p.bar.Describe(fmt.Sprintf("%s · %d rows", p.file, rows))
	p.bar.Set64(min(done, max(total, 1)))
	if final {
		p.bar.Finish()
		fmt.Fprintln(p.out)
	}
}

func (p *Progress) stop() {
	p.once.Do(func() {
		close(p.done)
		p.wg.Wait()
	})
}

package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws a bar on stderr when it is a terminal and nothing otherwise
// (the per-epoch lines on stdout are the record).
type progress struct {
	w    io.Writer
	tty  bool
	bar  *progressbar.ProgressBar
	desc string
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// update shows done of total under the description desc.
func (p *progress) update(desc string, done, total int) {
	if !p.tty {
		return
	}
	if p.bar == nil || p.desc != desc {
		p.done()
		p.desc = desc
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("batch"),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish())
	}
	_ = p.bar.Set(done)
}

// done removes the bar.
func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"path/filepath"

	"latent/internal/atomicfile"
)

// Report is what report.html shows besides the figures.
type Report struct {
	Title   string
	Intro   []string   // paragraphs
	Figures []Figure   // in story order
	Metrics [][]string // a table: the first row is the header
	// Quality is a second table (first row the header): samples judged by a
	// digit classifier; empty to leave it out.
	Quality     [][]string
	QualityNote string
	Settings    [][2]string
	Timings     [][2]string
}

// DisplayWidth is the width in CSS pixels of report.html's column, the
// widest a figure is shown. Draw makes its figures no wider, so the page
// shows them pixel for pixel and their text at the size it was drawn.
const DisplayWidth = 1000

// WriteHTML writes one self-contained page to path: every figure is read from
// dir and inlined as a data: URL, so the file works offline and can be mailed.
func WriteHTML(path, dir string, r Report) error {
	type fig struct {
		Figure
		Src template.URL
	}
	var figs []fig
	for _, f := range r.Figures {
		b, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		figs = append(figs, fig{f, template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))})
	}
	var buf bytes.Buffer
	err := page.Execute(&buf, map[string]any{"R": r, "Figures": figs, "Width": DisplayWidth})
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, buf.Bytes())
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.R.Title}}</title>
<style>
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: {{.Width}}px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.95em; margin-top: 0.4em; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
nav a { margin-right: 1em; }
</style>
</head>
<body>
<h1>{{.R.Title}}</h1>
{{range .R.Intro}}<p>{{.}}</p>
{{end}}
<nav>{{range .Figures}}<a href="#{{.File}}">{{.Title}}</a> {{end}}<a href="#metrics">Metrics</a> <a href="#settings">Settings</a></nav>
{{range .Figures}}
<h2 id="{{.File}}">{{.Title}}</h2>
<figure>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}
<h2 id="metrics">Metrics</h2>
{{with .R.Metrics}}<table>
<tr>{{range index . 0}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $row := .}}{{if $i}}<tr>{{range $row}}<td class="num">{{.}}</td>{{end}}</tr>
{{end}}{{end}}</table>{{end}}
{{with .R.Quality}}<h3>Sample quality</h3>
<p>{{$.R.QualityNote}}</p>
<table>
<tr>{{range index . 0}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $row := .}}{{if $i}}<tr>{{range $row}}<td class="num">{{.}}</td>{{end}}</tr>
{{end}}{{end}}</table>{{end}}
<h2 id="settings">Settings and timings</h2>
<table>
{{range .R.Settings}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}{{range .R.Timings}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>
</body>
</html>
`))

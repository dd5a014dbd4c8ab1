package serve

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"latent/internal/browser"
	"latent/model"
)

// openPage starts headless Chromium on a server for kind and waits until
// the page is ready.
func openPage(t *testing.T, kind model.Kind) context.Context {
	t.Helper()
	exe := browser.Chromium(t)
	_, hs := testServer(t, kind)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1300, 800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Run(ctx, chromedp.Navigate(hs.URL+"/"), chromedp.WaitVisible(`body[data-ready="1"]`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// changes waits until the canvas id differs from before (the decode
// answered), or fails after 10 s.
func changes(id, before string) chromedp.Action {
	b, _ := json.Marshal(before)
	return chromedp.Poll(`document.getElementById("`+id+`").toDataURL() !== `+string(b), nil,
		chromedp.WithPollingTimeout(10*time.Second))
}

const dataURL = `document.getElementById("decoded").toDataURL()`

// drawn waits until the decoded canvas is no longer blank (the first
// decode answered).
func drawn() chromedp.Action {
	return chromedp.Poll(`(() => { const c = document.createElement("canvas"); const d = document.getElementById("decoded"); c.width = d.width; c.height = d.height; return `+dataURL+` !== c.toDataURL(); })()`,
		nil, chromedp.WithPollingTimeout(10*time.Second))
}

// TestPageConditional: a CVAE's page offers the digit selector, and choosing
// another digit redraws the decoded image; random z is offered.
func TestPageConditional(t *testing.T) {
	ctx := openPage(t, model.CVAE)
	var hidden, randomHidden bool
	var options int
	var before, after string
	err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.getElementById("digitBox").hidden`, &hidden),
		chromedp.Evaluate(`document.getElementById("digit").options.length`, &options),
		chromedp.Evaluate(`document.getElementById("random").hidden`, &randomHidden),
		// the first decode has drawn something (not the blank canvas)
		drawn(),
		chromedp.Evaluate(dataURL, &before),
		chromedp.SetValue(`#digit`, "7", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("digit").dispatchEvent(new Event("change")); true`, nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	if hidden || options != 10 || randomHidden {
		t.Fatalf("CVAE page: digit selector hidden %v with %d options, random z hidden %v; want a shown 0–9 selector and random z", hidden, options, randomHidden)
	}
	if err := chromedp.Run(ctx, changes("decoded", before), chromedp.Evaluate(dataURL, &after)); err != nil {
		t.Fatalf("choosing digit 7 did not redraw the decoded image: %v", err)
	}
	// drawing encodes as the selected digit and shows a reconstruction
	var blank string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("recon").toDataURL()`, &blank),
		chromedp.Evaluate(`(() => {
			const pad = document.getElementById("pad"), r = pad.getBoundingClientRect();
			const ev = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {clientX: r.left + x, clientY: r.top + y, bubbles: true}));
			ev("pointerdown", 60, 40); ev("pointermove", 100, 60); ev("pointermove", 110, 120); ev("pointerup", 110, 120);
			return true;
		})()`, nil),
		changes("recon", blank)); err != nil {
		t.Fatalf("drawing on a CVAE's pad gave no reconstruction: %v", err)
	}
}

// TestPageAE: an AE's page offers no random z and says why; no digit selector.
func TestPageAE(t *testing.T) {
	ctx := openPage(t, model.AE)
	var randomHidden, digitHidden bool
	var note string
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.getElementById("random").hidden`, &randomHidden),
		chromedp.Evaluate(`document.getElementById("digitBox").hidden`, &digitHidden),
		chromedp.Evaluate(`document.getElementById("randomNote").textContent`, &note),
	); err != nil {
		t.Fatal(err)
	}
	if !randomHidden || !digitHidden || len(note) < 20 {
		t.Errorf("AE page: random z hidden %v (want true), digit selector hidden %v (want true), note %q (want why)", randomHidden, digitHidden, note)
	}
}

// TestPageRandomZ: a VAE's random z button draws a code and redraws.
func TestPageRandomZ(t *testing.T) {
	ctx := openPage(t, model.VAE)
	var before, label string
	if err := chromedp.Run(ctx,
		drawn(),
		chromedp.Evaluate(dataURL, &before),
		chromedp.Evaluate(`document.getElementById("random").textContent`, &label),
		chromedp.Click(`#random`, chromedp.ByQuery),
		changes("decoded", before),
	); err != nil {
		t.Fatalf("random z did not redraw the decoded digit (button %q): %v", label, err)
	}
}

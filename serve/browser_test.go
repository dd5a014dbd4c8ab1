package serve

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"latent/internal/browser"
	"latent/model"
)

// TestPageInABrowser loads the page in headless Chromium, moves a slider and
// checks that the decoded digit changed, then draws on the pad and checks that
// a reconstruction appeared. With LATENT_SCREENSHOT=FILE it saves a screenshot.
func TestPageInABrowser(t *testing.T) {
	exe := browser.Chromium(t)
	_, hs := testServer(t, model.VAE)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1300, 800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	canvas := func(id string) string { return `document.getElementById("` + id + `").toDataURL()` }
	var before, after, blank, recon string
	// each step waits on what the page shows, not on time
	err := chromedp.Run(ctx,
		chromedp.Navigate(hs.URL+"/"),
		chromedp.WaitVisible(`body[data-ready="1"]`, chromedp.ByQuery),
		drawn(),
		chromedp.Evaluate(canvas("decoded"), &before),
		chromedp.Evaluate(canvas("recon"), &blank),
	)
	if err == nil {
		err = chromedp.Run(ctx,
			chromedp.SetValue(`#z0`, "3.5", chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById("z0").dispatchEvent(new Event("input")); true`, nil),
			changes("decoded", before),
			chromedp.Evaluate(canvas("decoded"), &after),
			chromedp.Evaluate(`(() => {
			const pad = document.getElementById("pad"), r = pad.getBoundingClientRect();
			const ev = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {clientX: r.left + x, clientY: r.top + y, bubbles: true}));
			ev("pointerdown", 60, 40); ev("pointermove", 100, 60); ev("pointermove", 110, 120); ev("pointermove", 90, 170); ev("pointerup", 90, 170);
			return true;
		})()`, nil),
			changes("recon", blank),
			chromedp.Evaluate(canvas("recon"), &recon),
		)
	}
	if err != nil {
		t.Fatal(err)
	}
	if before == after {
		t.Error("moving slider z0 did not change the decoded digit")
	}
	if recon == blank {
		t.Error("drawing on the pad produced no reconstruction")
	}
	if path := os.Getenv("LATENT_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, png, 0o644)
	}
}

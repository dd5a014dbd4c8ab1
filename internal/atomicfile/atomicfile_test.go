package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := WriteBytes(path, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "hello" {
		t.Fatalf("content %q", b)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	// overwriting replaces the content
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "world"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "world" {
		t.Fatalf("content %q", b)
	}
	if n := names(t, dir); len(n) != 1 {
		t.Fatalf("folder holds %v, want only a.txt", n)
	}
}

func TestWriteFailingFn(t *testing.T) {
	boom := errors.New("boom")
	failing := func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	}
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.txt")
		if existing {
			if err := WriteBytes(path, []byte("old")); err != nil {
				t.Fatal(err)
			}
		}
		err := Write(path, failing)
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
			t.Fatalf("error %v should wrap the cause and name %s", err, path)
		}
		b, rerr := os.ReadFile(path)
		switch {
		case existing && string(b) != "old":
			t.Errorf("old content replaced by %q (%v)", b, rerr)
		case !existing && !errors.Is(rerr, os.ErrNotExist):
			t.Errorf("a failed write left %s (content %q)", path, b)
		}
		want := 0
		if existing {
			want = 1
		}
		if n := names(t, dir); len(n) != want {
			t.Errorf("existing=%v: folder holds %v, want %d file(s) and no temp file", existing, n, want)
		}
	}
}

func TestWritePanickingFn(t *testing.T) {
	dir := t.TempDir()
	func() {
		defer func() { recover() }()
		Write(filepath.Join(dir, "a.txt"), func(w io.Writer) error { panic("oops") })
	}()
	if n := names(t, dir); len(n) != 0 {
		t.Errorf("a panic left %v behind", n)
	}
}

func TestWriteMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such")
	path := filepath.Join(missing, "a.txt")
	err := WriteBytes(path, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v should name %s", err, path)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Write created the folder %s", missing)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new", "out")
	if err := CheckWritable(fresh); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || !st.IsDir() {
		t.Fatalf("CheckWritable did not create %s: %v", fresh, err)
	}
	if n := names(t, fresh); len(n) != 0 {
		t.Errorf("CheckWritable left %v in %s", n, fresh)
	}

	t.Run("under a regular file", func(t *testing.T) {
		file := filepath.Join(dir, "file.txt")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		bad := filepath.Join(file, "sub") // fails even for root
		if err := CheckWritable(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Fatalf("error %v should name %s", err, bad)
		}
	})

	t.Run("read-only folder", func(t *testing.T) {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(ro, 0o755) // so that TempDir's cleanup can remove it
		// root (and some file systems) ignore the mode: detect by trying
		if f, err := os.CreateTemp(ro, "probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
			t.Skip("read-only folders are writable here (running as root?)")
		}
		err := CheckWritable(ro)
		if err == nil || !strings.Contains(err.Error(), ro) || !strings.Contains(err.Error(), "choose another") {
			t.Fatalf("error %v should name %s and say what to do", err, ro)
		}
	})
}

// TestWriteKeepsTheReplacedFilesMode: a file written anew is 0644; one that
// replaces a regular file takes that file's permissions.
func TestWriteKeepsTheReplacedFilesMode(t *testing.T) {
	for _, c := range []struct {
		before os.FileMode // 0: no file yet
		want   os.FileMode
	}{{0, 0o644}, {0o600, 0o600}, {0o640, 0o640}, {0o755, 0o755}} {
		path := filepath.Join(t.TempDir(), "a.bin")
		if c.before != 0 {
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, c.before); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteBytes(path, []byte("new")); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != c.want {
			t.Errorf("replacing a %v file: mode %v, want %v", c.before, st.Mode().Perm(), c.want)
		}
	}
}

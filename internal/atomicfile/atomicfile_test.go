package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := WriteBytes(path, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "hello" {
		t.Fatalf("content %q", b)
	}
	// a failing writer leaves the old file and no temp file
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v should wrap the cause and name %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "hello" {
		t.Fatalf("old content replaced by %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files left in the folder, want 1", len(entries))
	}
}

func TestWriteMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "a.txt")
	if err := WriteBytes(path, nil); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v should name %s", err, path)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "new", "out")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file.txt")
	os.WriteFile(file, nil, 0o644)
	bad := filepath.Join(file, "sub") // under a regular file: fails even for root
	if err := CheckWritable(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("error %v should name %s", err, bad)
	}
}

package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The README is the front door: the two commands first, a feature table and
// links into docs/, where the rest lives. These tests keep its links, and
// those of every docs/ page, pointing at files and headings that exist.

var (
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	fenceStart = "```"
)

// markdownFiles are README.md and docs/*.md under root.
func markdownFiles(t *testing.T, root string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, docs...)
}

// proseLines are the lines of a markdown file outside fenced code blocks,
// each with its 1-based line number.
func proseLines(text string) (lines []string, numbers []int) {
	inFence := false
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), fenceStart) {
			inFence = !inFence
			continue
		}
		if !inFence {
			lines = append(lines, l)
			numbers = append(numbers, i+1)
		}
	}
	return lines, numbers
}

// anchors are the heading anchors GitHub makes for a markdown text:
// lower case, spaces to hyphens, other punctuation dropped, repeats
// numbered -1, -2, ...
func anchors(text string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	lines, _ := proseLines(text)
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(l, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// brokenLinks lists, as "file:line: target: why", every relative link in
// files that names a missing file, or a heading its markdown target lacks.
// checked counts the links it followed.
func brokenLinks(t *testing.T, root string, files []string) (bad []string, checked int) {
	t.Helper()
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		lines, numbers := proseLines(string(text))
		for i, l := range lines {
			for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(l, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				path, frag, _ := strings.Cut(target, "#")
				dest := f
				if path != "" {
					dest = filepath.Join(filepath.Dir(f), path)
				}
				where := rel + ":" + strconv.Itoa(numbers[i]) + ": " + target
				destText, err := os.ReadFile(dest)
				if err != nil {
					if st, serr := os.Stat(dest); serr == nil && st.IsDir() && frag == "" {
						continue
					}
					bad = append(bad, where+": no such file")
					continue
				}
				if frag != "" && strings.HasSuffix(dest, ".md") && !anchors(string(destText))[frag] {
					bad = append(bad, where+": no such heading")
				}
			}
		}
	}
	return bad, checked
}

// TestDocLinks: every relative link in README.md and docs/*.md points to a
// file that exists and, for a markdown file, to one of its headings.
func TestDocLinks(t *testing.T) {
	root := moduleRoot(t)
	bad, checked := brokenLinks(t, root, markdownFiles(t, root))
	for _, b := range bad {
		t.Error(b)
	}
	if checked < 50 {
		t.Errorf("followed only %d links in README.md and docs/*.md; is the link pattern still right?", checked)
	}
}

// TestBrokenLinksFound: the checker reports a missing file and a missing
// heading, and accepts links to files, headings (also repeated ones),
// directories and other sites, and link-like text in code.
func TestBrokenLinksFound(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	readme := "# X\n\n[a](docs/a.md) [b](docs/a.md#reload-without-flapping) [c](docs/a.md#notes-1)\n" +
		"[d](docs/gone.md) [e](docs/a.md#nope) [f](#x) [g](https://example.com/#q) [h](docs)\n" +
		"`[i](docs/gone2.md)`\n```\n[j](docs/gone3.md)\n```\n"
	page := "# A\n\n## Reload without flapping\n\n## Notes\n\n## Notes\n\n[k](../README.md#y)\n"
	for name, text := range map[string]string{"README.md": readme, "docs/a.md": page} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, checked := brokenLinks(t, root, markdownFiles(t, root))
	if checked != 8 {
		t.Errorf("followed %d links, want 8 (the ones outside code)", checked)
	}
	want := []string{
		"README.md:4: docs/gone.md: no such file",
		"README.md:4: docs/a.md#nope: no such heading",
		"docs/a.md:9: ../README.md#y: no such heading",
	}
	if !slices.Equal(got, want) {
		t.Errorf("broken links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadmeFrontDoor: the README opens with the two commands a newcomer
// runs (the demo and the test suite), .ci/run runs exactly that test
// command, and the README stays a short front door; the details belong in
// docs/.
func TestReadmeFrontDoor(t *testing.T) {
	root := moduleRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(readme), "\n"), "\n")
	var block []string
	for i, l := range lines {
		if strings.HasPrefix(l, "## ") {
			break
		}
		if l == "```sh" {
			for _, c := range lines[i+1:] {
				if c == "```" {
					break
				}
				cmd, _, _ := strings.Cut(c, "#")
				block = append(block, strings.TrimSpace(cmd))
			}
			break
		}
	}
	want := []string{"go run ./cmd/gokeepalived demo", "bash scripts/test.sh"}
	if !slices.Equal(block, want) {
		t.Errorf("README's first commands (before any section) = %q, want %q", block, want)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	ciLines := strings.Split(strings.TrimSpace(string(ci)), "\n")
	if last := ciLines[len(ciLines)-1]; last != "exec "+want[1] {
		t.Errorf(".ci/run ends with %q, want %q (the README's test command)", last, "exec "+want[1])
	}
	const maxLines = 200
	if len(lines) > maxLines {
		t.Errorf("README.md has %d lines, more than %d: move details to the fitting docs/ page and link it", len(lines), maxLines)
	}
}

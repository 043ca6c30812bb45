// Package cidocs checks the CI recipes of docs/ci.md and the repository's
// .pre-commit-hooks.yaml: every YAML block parses, and the commands they
// run are the README's.
package cidocs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var root = filepath.Join("..", "..")

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// yamlBlocks returns the fenced ```yaml blocks of a Markdown page.
func yamlBlocks(page string) []string {
	re := regexp.MustCompile("(?s)```yaml\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// commands collects the shell commands of a parsed YAML document: the
// "run" values of GitHub steps and the "script" lists of GitLab jobs.
func commands(node any, out *[]string) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			switch k {
			case "run":
				if s, ok := v.(string); ok {
					*out = append(*out, strings.Split(strings.TrimSpace(s), "\n")...)
				}
			case "script":
				if l, ok := v.([]any); ok {
					for _, s := range l {
						if s, ok := s.(string); ok {
							*out = append(*out, s)
						}
					}
				}
			default:
				commands(v, out)
			}
		}
	case []any:
		for _, v := range n {
			commands(v, out)
		}
	}
}

func TestCIRecipes(t *testing.T) {
	readme := read(t, "README.md")
	blocks := yamlBlocks(read(t, "docs/ci.md"))
	if len(blocks) < 3 {
		t.Fatalf("docs/ci.md has %d YAML blocks, want the GitHub, GitLab and pre-commit recipes", len(blocks))
	}
	var all []string
	for i, b := range blocks {
		var doc any
		if err := yaml.Unmarshal([]byte(b), &doc); err != nil {
			t.Errorf("YAML block %d of docs/ci.md does not parse: %v\n%s", i+1, err, b)
			continue
		}
		commands(doc, &all)
	}
	if len(all) == 0 {
		t.Fatal("no commands found in docs/ci.md")
	}
	for _, c := range all {
		c = strings.TrimSpace(c)
		// Each command that runs rstlint or installs it is one the README
		// gives, or the README's plain run on the whole module.
		if !strings.Contains(c, "rstlint") {
			continue
		}
		if !strings.Contains(readme, c) {
			t.Errorf("docs/ci.md runs %q, which the README does not give", c)
		}
	}
}

func TestPreCommitHooks(t *testing.T) {
	var hooks []map[string]any
	if err := yaml.Unmarshal([]byte(read(t, ".pre-commit-hooks.yaml")), &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml does not parse: %v", err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	for _, key := range []string{"id", "name", "entry", "language"} {
		if _, ok := h[key]; !ok {
			t.Errorf("hook lacks %q", key)
		}
	}
	if h["id"] != "rstlint" || h["entry"] != "rstlint" || h["language"] != "golang" {
		t.Errorf("hook %v: want id and entry rstlint, language golang", h)
	}
	if !strings.Contains(read(t, "docs/ci.md"), "id: "+h["id"].(string)) {
		t.Errorf("docs/ci.md does not use the hook id %v", h["id"])
	}
}

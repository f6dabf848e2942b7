package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDotenvParse(t *testing.T) {
	for _, tc := range []struct {
		line string
		want [2]string // name, value; name "": skipped
	}{
		{"A=1", [2]string{"A", "1"}},
		{"  A = 1  ", [2]string{"A", "1"}},
		{"export A=1", [2]string{"A", "1"}},
		{"export\tA=1", [2]string{"A", "1"}},
		{"EXPORTED=1", [2]string{"EXPORTED", "1"}},
		{"A=", [2]string{"A", ""}},
		{"A=sk-abc # my key", [2]string{"A", "sk-abc"}},
		{"A=sk#abc", [2]string{"A", "sk#abc"}},
		{"A=#abc", [2]string{"A", "#abc"}},
		{"A='sk abc # not a comment'", [2]string{"A", "sk abc # not a comment"}},
		{`A='it\'s \\ \n'`, [2]string{"A", `it's \ \n`}},
		{`A="a\"b\\c\nd\qe"`, [2]string{"A", "a\"b\\c\nd\\qe"}},
		{`A="x" # comment`, [2]string{"A", "x"}},
		{"A=${B}", [2]string{"A", "${B}"}},
		{"A=1\r", [2]string{"A", "1"}},
		{"\uFEFFA=1", [2]string{"A", "1"}},
		{"# a comment", [2]string{}},
		{"   ", [2]string{}},
	} {
		got, err := parseDotenv([]byte(tc.line))
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		var want [][2]string
		if tc.want[0] != "" {
			want = [][2]string{tc.want}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q, want %q", tc.line, got, want)
		}
	}
}

// TestDotenvMalformedLines: an error names the line, never its text,
// which may be a secret.
func TestDotenvMalformedLines(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"A=1\nsk-secret-value-1234\n", "line 2: want NAME=VALUE"},
		{"# c\n\nsk-secret-value-1234=x\n", "line 3: the text before = is not a variable name"},
		{"A=\"sk-secret-value-1234\n", "line 1: the quoted value does not end on its line"},
		{"A='sk-secret-value-1234' x\n", "line 1: text after the closing quote"},
		{"export\n", "line 1: want NAME=VALUE"},
	} {
		_, err := parseDotenv([]byte(tc.text))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}

// TestDotenvLoad: LLM-API-Key-Proxy reads .env from its working
// directory; so does Load now, never overriding the environment, and the
// file's values reach the keys, the settings and the YAML file's ${VAR}.
func TestDotenvLoad(t *testing.T) {
	dir := t.TempDir()
	yaml := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(yaml, []byte("keys: [{id: team, provider: openai, secret: \"${TEAM_KEY}\"}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dotenv := filepath.Join(dir, "proxy.env")
	if err := os.WriteFile(dotenv, []byte(`# LLM-API-Key-Proxy
PROXY_API_KEY="sk-proxy"
export OPENAI_API_KEY_1=sk-from-file
GROQ_API_KEY_1='gsk-from-file'
PROXY_PORT=9100
TEAM_KEY=sk-team
APIKEYROUTER_CONFIG=`+yaml+`
PROXY_PORT=9200
`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load([]string{"APIKEYROUTER_DOTENV=" + dotenv, "GROQ_API_KEY_1=gsk-from-env"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Dotenv.Path != dotenv || c.Dotenv.Set != 5 || c.Dotenv.AlreadySet != 1 {
		t.Fatalf("dotenv %+v", c.Dotenv)
	}
	secrets := map[string]string{}
	for _, k := range c.Keys {
		secrets[string(k.ID)] = k.Secret
	}
	if want := map[string]string{"team": "sk-team", "openai-1": "sk-from-file", "groq-1": "gsk-from-env"}; !reflect.DeepEqual(secrets, want) {
		t.Fatalf("secrets %v, want %v", secrets, want)
	}
	if c.ProxyKey != "sk-proxy" || c.Port != 9200 {
		t.Fatalf("proxy key %q, port %d", c.ProxyKey, c.Port)
	}
}

// TestDotenvWhere: .env in the working directory is read by default and
// may be missing; APIKEYROUTER_DOTENV=off reads none; a file named
// explicitly must exist; a malformed one stops the start naming the file
// and line.
func TestDotenvWhere(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	c, _, err := Load(nil)
	if err != nil || c.Dotenv.Path != "" {
		t.Fatalf("no .env: %+v, %v", c.Dotenv, err)
	}
	if _, _, err := Load([]string{"APIKEYROUTER_DOTENV=" + filepath.Join(dir, "nope.env")}); err == nil || !strings.Contains(err.Error(), "nope.env") {
		t.Fatalf("missing explicit file: %v", err)
	}
	if err := os.WriteFile(".env", []byte("PROXY_PORT=9300\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err = Load(nil)
	if err != nil || c.Port != 9300 || c.Dotenv.Path != filepath.Join(dir, ".env") || c.Dotenv.Set != 1 {
		t.Fatalf("./.env: port %d, %+v, %v", c.Port, c.Dotenv, err)
	}
	c, _, err = Load([]string{"APIKEYROUTER_DOTENV=off"})
	if err != nil || c.Port != 8000 || c.Dotenv.Path != "" {
		t.Fatalf("off: port %d, %+v, %v", c.Port, c.Dotenv, err)
	}
	if err := os.WriteFile(".env", []byte("PROXY_PORT=9300\nOPENAI_API_KEY sk-secret-value-1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = Load(nil)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ".env")+": line 2") || strings.Contains(err.Error(), "sk-secret") {
		t.Fatalf("malformed: %v", err)
	}
}
